import { stringify } from 'yaml';
import type { Format } from './options.ts';

/** Columns padded to their widest cell; the last column is not padded. */
export const table = (rows: readonly (readonly string[])[]): string => {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat(rows.length > 0 ? '\n' : '');
};

/** `value` as JSON or YAML, or the table text for `table`. */
export const render = (format: Format, value: unknown, asTable: () => string): string => {
  switch (format) {
    case 'json':
      return `${JSON.stringify(value, null, 2)}\n`;
    case 'yaml':
      return stringify(value);
    case 'table':
      return asTable();
  }
};

/** A 20-character bar of the canary's share, e.g. `██░░░░░░░░░░░░░░░░░░`. */
export const bar = (canary: number): string => {
  const filled = Math.round(Math.min(100, Math.max(0, canary)) / 5);
  return `${'█'.repeat(filled)}${'░'.repeat(20 - filled)}`;
};

/** `2026-12-02 14:03:05 UTC`, or `-`. */
export const when = (iso: string | undefined): string =>
  iso ? `${iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '')} UTC` : '-';

/** A duration the way kubectl prints ages: `45s`, `12m`, `3h`, `2d`. */
export const shortDuration = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
};

/** `primary 90% · canary 10%`. */
export const weights = (w: { primary: number; canary: number }): string =>
  `primary ${w.primary}% · canary ${w.canary}%`;
