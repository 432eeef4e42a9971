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
