/** Summaries of many runs: rates with Wilson intervals, quantiles where "never" is ∞. */

/** The 95% Wilson score interval for k successes in n trials. */
export const wilson = (k: number, n: number, z = 1.959963984540054): [number, number] => {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
};

/** Nearest-rank quantile; Infinity stands for "never", so a median can be ∞. */
export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
};

export const formatMinutes = (minutes: number): string =>
  Number.isNaN(minutes) ? '–' : Number.isFinite(minutes) ? minutes.toFixed(1) : '∞';

export const formatPercent = (share: number): string => `${(100 * share).toFixed(1)}%`;

/** Left-aligned columns, two spaces apart. */
export const columns = (rows: readonly string[][]): string => {
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
