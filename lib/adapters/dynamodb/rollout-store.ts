import { randomBytes } from 'node:crypto';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TERMINAL_PHASES } from '../../domain/phase.ts';
import type { LedgerEntry, RolloutState } from '../../domain/state.ts';
import { RolloutExistsError, RolloutVersionConflictError } from '../../ports/errors.ts';
import type { LedgerPage, RolloutFilter, RolloutStore } from '../../ports/rollout-store.ts';
import type { RetryPolicy } from '../retry.ts';
import { batchGet } from './batch-get.ts';
import type { DynamoClient } from './client.ts';
import {
  anyConditionFailed,
  failedItemAttribute,
  firstConditionFailed,
  MalformedItemError,
} from './errors.ts';
import { ledgerItem, parseLedgerItem, parseStateItem, stateItem } from './items.ts';
import {
  DUE_INDEX,
  DUE_PKS,
  dueUpperBound,
  LEDGER_PREFIX,
  LIST_INDEX,
  LIST_PK,
  listPrefix,
  rolloutPK,
  STATE_SK,
} from './keys.ts';
import { createOwnership } from './ownership.ts';
import {
  byDueSK,
  decodeCursor,
  encodeCursor,
  type Key,
  optionalLimit,
  positiveLimit,
} from './paging.ts';
import { createTransact, type TransactItem, transactionGroups } from './transactions.ts';

export interface DynamoRolloutStoreOptions {
  client: DynamoClient;
  tableName: string;
  /**
   * Told of a state item that a listing read back and could not read: the listing leaves it
   * out and goes on, so one bad item never stops a tick for the other rollouts.
   */
  onUnreadable?: (problem: string) => void;
  /** How keys that BatchGetItem leaves unprocessed are asked again (getMany). */
  retry?: RetryPolicy;
  /** Items per Query page; DynamoDB's own 1 MB pages if absent (tests page with a few). */
  pageSize?: number;
  /** Ledger entries expire this many days after they happened; kept for ever if absent. */
  ledgerRetentionDays?: number;
}

/**
 * RolloutStore on one DynamoDB table (infra/dynamodb-table.yml): a state item and ledger items
 * per rollout, a sparse `due` index for the scheduler and a `byTarget` index for listing.
 */
export const createDynamoRolloutStore = ({
  client,
  tableName,
  onUnreadable = () => {},
  retry,
  pageSize = Number.POSITIVE_INFINITY,
  ledgerRetentionDays,
}: DynamoRolloutStoreOptions): RolloutStore => {
  /** The states of a listing that read back; each other one is reported and left out. */
  const readable = (items: unknown[]): RolloutState[] =>
    items.flatMap((item) => {
      try {
        return [parseStateItem(item)];
      } catch (error) {
        if (!(error instanceof MalformedItemError)) throw error;
        onUnreadable(error.message);
        return [];
      }
    });
  const ledgerPuts = (entries: LedgerEntry[]): TransactItem[] => {
    // One suffix per write, the index within it: unique keys, the batch kept in order.
    const suffix = randomBytes(6).toString('base64url');
    return entries.map((entry, index) => ({
      Put: {
        TableName: tableName,
        Item: ledgerItem(entry, index, suffix, ledgerRetentionDays),
        ConditionExpression: 'attribute_not_exists(SK)',
      },
    }));
  };

  const transact = createTransact(client);

  type Condition = Omit<NonNullable<TransactItem['Put']>, 'TableName' | 'Item'>;
  const putState = (state: RolloutState, condition: Condition): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: stateItem(state),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ...condition,
    },
  });

  /** The state's Put, only if the stored version is still `state.version - 1`. */
  const versionedPut = (state: RolloutState): TransactItem =>
    putState(state, {
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': state.version - 1 },
    });

  const commitOne = async (state: RolloutState, entries: LedgerEntry[]): Promise<void> => {
    const expected = state.version - 1;
    const put = versionedPut(state);
    try {
      await transact([put, ...ledgerPuts(entries)]);
    } catch (error) {
      if (firstConditionFailed(error)) {
        const found = failedItemAttribute(error, 'version') ?? 'no rollout';
        throw new RolloutVersionConflictError(
          `rollout ${state.id}: expected stored version ${expected}, found ${found}`,
          { cause: error },
        );
      }
      if (anyConditionFailed(error)) throw ledgerCollision(error);
      throw error;
    }
  };

  const ledgerCollision = (error: unknown): Error =>
    new Error('a ledger entry key already exists; ledger entries are never overwritten', {
      cause: error,
    });

  const queryAll = async (input: QueryCommandInput, limit = Number.POSITIVE_INFINITY) => {
    const items: Record<string, unknown>[] = [];
    let start = input.ExclusiveStartKey;
    do {
      const pageLimit = Math.min(limit - items.length, pageSize);
      const page = await client.query({
        ...input,
        ExclusiveStartKey: start,
        ...(Number.isFinite(pageLimit) ? { Limit: pageLimit } : {}),
      });
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && items.length < limit);
    return items;
  };

  /**
   * The due index as one: every shard queried in parallel (each paged to its end, or to
   * `limit`, which the oldest `limit` overall cannot exceed on any one shard), then merged
   * oldest dueSK first. `upper` bounds dueSK; without it every scheduled rollout is listed.
   */
  const queryDue = async (upper: string | undefined, limit: number | undefined) => {
    const shards = await Promise.all(
      DUE_PKS.map((pk) =>
        queryAll(
          {
            TableName: tableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression:
              upper === undefined ? 'duePK = :due' : 'duePK = :due AND dueSK <= :upper',
            ExpressionAttributeValues:
              upper === undefined ? { ':due': pk } : { ':due': pk, ':upper': upper },
            ScanIndexForward: true,
          },
          limit,
        ),
      ),
    );
    const merged = shards.flat().sort(byDueSK);
    return readable(limit === undefined ? merged : merged.slice(0, limit));
  };

  const get = async (id: string): Promise<RolloutState | undefined> => {
    const { Item } = await client.getItem({
      TableName: tableName,
      Key: { PK: rolloutPK(id), SK: STATE_SK },
      ConsistentRead: true,
    });
    return Item === undefined ? undefined : parseStateItem(Item);
  };

  const { owner, writeOwning } = createOwnership({ client, tableName, get });

  return {
    get,
    owner,

    async create(state, entries) {
      const terminal = Object.fromEntries(TERMINAL_PHASES.map((phase, i) => [`:t${i}`, phase]));
      const put = putState(state, {
        ConditionExpression: `attribute_not_exists(PK) OR #phase IN (${Object.keys(terminal).join(', ')})`,
        ExpressionAttributeNames: { '#phase': 'phase' },
        ExpressionAttributeValues: terminal,
      });
      await writeOwning(
        state,
        (ownership) => transact([put, ...ownership, ...ledgerPuts(entries)]),
        (error) => {
          if (firstConditionFailed(error)) {
            const phase = failedItemAttribute(error, 'phase') ?? 'not terminal';
            return new RolloutExistsError(`rollout ${state.id} already exists and is ${phase}`, {
              cause: error,
            });
          }
          return anyConditionFailed(error) ? ledgerCollision(error) : error;
        },
      );
    },

    commit: (state, entries) => commitOne(state, entries),

    async commitAll(commits) {
      const results: (Error | undefined)[] = commits.map(() => undefined);
      await Promise.all(
        transactionGroups(
          commits.map(({ state, entries }) => [versionedPut(state), ...ledgerPuts(entries)]),
        ).map(async (group) => {
          try {
            await transact(group.flatMap(({ items }) => items));
          } catch {
            // Any refusal rolls the whole transaction back: each is committed alone, so
            // that only the refused ones fail, with their own error.
            await Promise.all(
              group.map(async ({ index }) => {
                const { state, entries } = commits[index] as (typeof commits)[number];
                results[index] = await commitOne(state, entries).then(
                  () => undefined,
                  (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
                );
              }),
            );
          }
        }),
      );
      return results;
    },

    async append(entries) {
      if (entries.length === 0) return;
      try {
        await transact(ledgerPuts(entries));
      } catch (error) {
        if (anyConditionFailed(error)) throw ledgerCollision(error);
        throw error;
      }
    },

    async getMany(ids) {
      const unique = [...new Set(ids)];
      const items = await batchGet(
        client,
        tableName,
        unique.map((id) => ({ PK: rolloutPK(id), SK: STATE_SK })),
        retry,
      );
      const byPK = new Map(items.map((item) => [item.PK, item]));
      return readable(unique.flatMap((id) => byPK.get(rolloutPK(id)) ?? []));
    },

    async listDue(now, limit) {
      return queryDue(dueUpperBound(now), optionalLimit(limit, 'listDue'));
    },

    async listInFlight(limit) {
      return queryDue(undefined, optionalLimit(limit, 'listInFlight'));
    },

    async list(filter: RolloutFilter) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':list': LIST_PK };
      let keyCondition = 'listPK = :list';
      const filters: string[] = [];
      if (filter.cluster !== undefined) {
        keyCondition += ' AND begins_with(listSK, :prefix)';
        values[':prefix'] = listPrefix(filter.cluster, filter.namespace);
      } else if (filter.namespace !== undefined) {
        filters.push('#namespace = :namespace');
        names['#namespace'] = 'namespace';
        values[':namespace'] = filter.namespace;
      }
      if (filter.phase !== undefined) {
        filters.push('#phase = :phase');
        names['#phase'] = 'phase';
        values[':phase'] = filter.phase;
      }
      const items = await queryAll({
        TableName: tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeValues: values,
        ...(filters.length > 0
          ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names }
          : {}),
      });
      return readable(items);
    },

    async ledger(id, page = {}): Promise<LedgerPage> {
      const limit = page.limit === undefined ? undefined : positiveLimit(page.limit, 'ledger');
      const start = page.cursor === undefined ? undefined : decodeCursor(id, page.cursor);
      // One item past the page tells whether another page exists, so the last page has no cursor.
      const items = await queryAll(
        {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :ledger)',
          ExpressionAttributeValues: { ':pk': rolloutPK(id), ':ledger': LEDGER_PREFIX },
          ExclusiveStartKey: start,
          ConsistentRead: true,
          ScanIndexForward: true,
        },
        limit === undefined ? undefined : limit + 1,
      );
      if (limit === undefined || items.length <= limit) {
        return { entries: items.map(parseLedgerItem) };
      }
      const shown = items.slice(0, limit);
      return { entries: shown.map(parseLedgerItem), cursor: encodeCursor(shown.at(-1) as Key) };
    },
  };
};
