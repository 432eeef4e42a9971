import { KanariError } from '../../ports/errors.ts';
import { type RetryPolicy, withRetries } from '../retry.ts';
import type { DynamoClient } from './client.ts';

/** DynamoDB's cap on the keys of one BatchGetItem call. */
export const MAX_BATCH_GET_KEYS = 100;

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };

/** Some keys were still unprocessed (throttled, or past 16 MB a response) after every retry. */
export class UnprocessedKeysError extends KanariError {}

/**
 * Reads items by key, strongly consistent, 100 keys per BatchGetItem and the requests in
 * parallel. Keys DynamoDB leaves unprocessed are asked again, only those, with backoff; if
 * some still are after the retries, it throws rather than answer with items missing. Items
 * come back in no particular order; a key with no item has none.
 */
export const batchGet = async (
  client: DynamoClient,
  tableName: string,
  keys: Key[],
  retry?: RetryPolicy,
): Promise<Item[]> => {
  const chunks: Key[][] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_GET_KEYS)
    chunks.push(keys.slice(start, start + MAX_BATCH_GET_KEYS));
  const read = async (chunk: Key[]): Promise<Item[]> => {
    const items: Item[] = [];
    let pending: Record<string, unknown>[] = chunk;
    await withRetries(
      async () => {
        const { Responses, UnprocessedKeys } = await client.batchGetItem({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        });
        items.push(...(Responses?.[tableName] ?? []));
        pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
        if (pending.length > 0) {
          throw new UnprocessedKeysError(
            `DynamoDB left ${pending.length} of ${chunk.length} keys unprocessed`,
          );
        }
      },
      (error) => error instanceof UnprocessedKeysError,
      retry,
    );
    return items;
  };
  return (await Promise.all(chunks.map(read))).flat();
};
