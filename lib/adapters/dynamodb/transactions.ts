import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoClient } from './client.ts';
import { isTransactionConflict } from './errors.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const MAX_TRANSACTION_ITEMS = 100;
/** DynamoDB refuses a transaction over 4 MB; groups stay under this estimate of their size. */
const MAX_TRANSACTION_BYTES = 3_000_000;

/**
 * Consecutive commits packed into transactions of at most MAX_TRANSACTION_ITEMS items and
 * about MAX_TRANSACTION_BYTES, each commit whole in one of them.
 */
export const transactionGroups = (
  commits: readonly TransactItem[][],
): { index: number; items: TransactItem[] }[][] => {
  const groups: { index: number; items: TransactItem[] }[][] = [];
  let group: { index: number; items: TransactItem[] }[] = [];
  let count = 0;
  let bytes = 0;
  commits.forEach((items, index) => {
    const size = Buffer.byteLength(JSON.stringify(items));
    if (
      group.length > 0 &&
      (count + items.length > MAX_TRANSACTION_ITEMS || bytes + size > MAX_TRANSACTION_BYTES)
    ) {
      groups.push(group);
      group = [];
      count = 0;
      bytes = 0;
    }
    group.push({ index, items });
    count += items.length;
    bytes += size;
  });
  if (group.length > 0) groups.push(group);
  return groups;
};
const CONFLICT_ATTEMPTS = 4;

/**
 * One atomic write. The client request token makes the client's own retries (after a lost
 * response) idempotent instead of failing their conditions on our own write; conflicts with
 * another transaction are retried here with a fresh token, since nothing was written.
 */
export const createTransact =
  (client: Pick<DynamoClient, 'transactWriteItems'>) =>
  async (items: TransactItem[]): Promise<void> => {
    if (items.length > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(
        `cannot write ${items.length} items atomically (DynamoDB allows ${MAX_TRANSACTION_ITEMS})`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await client.transactWriteItems({ TransactItems: items, ClientRequestToken: randomUUID() });
        return;
      } catch (error) {
        if (!isTransactionConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
        await sleep(10 * 2 ** attempt * (0.5 + Math.random()));
      }
    }
  };
