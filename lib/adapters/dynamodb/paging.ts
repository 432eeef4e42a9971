import { InvalidCursorError } from '../../ports/errors.ts';
import * as z from '../../schemas/mini.ts';
import { LEDGER_PREFIX, rolloutPK } from './keys.ts';

// Paging of the store's listings: ledger cursors, limits, and the order of the due index.

export type Key = { PK: string; SK: string };

const cursorSchema = z.object({
  PK: z.string(),
  SK: z.string().check(z.startsWith(LEDGER_PREFIX)),
});

export const encodeCursor = (key: Key): string =>
  Buffer.from(JSON.stringify({ PK: key.PK, SK: key.SK })).toString('base64url');

export const decodeCursor = (id: string, cursor: string): Key => {
  let key: Key;
  try {
    key = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (cause) {
    throw new InvalidCursorError(`invalid cursor: not a ledger page of ${id}`, { cause });
  }
  if (key.PK !== rolloutPK(id))
    throw new InvalidCursorError(`invalid cursor: not a ledger page of ${id}`);
  return key;
};

export const optionalLimit = (limit: number | undefined, what: string): number | undefined =>
  limit === undefined ? undefined : positiveLimit(limit, what);

/** Index keys compare as DynamoDB compares them: by their UTF-8 bytes. */
export const byDueSK = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  Buffer.compare(Buffer.from(String(a.dueSK)), Buffer.from(String(b.dueSK)));

export const positiveLimit = (limit: number, what: string): number => {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`${what} limit must be a positive integer, got ${limit}`);
  }
  return limit;
};
