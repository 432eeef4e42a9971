import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { UnprocessedKeysError } from '../../lib/adapters/dynamodb/batch-get.ts';
import {
  createDynamoRolloutStore,
  type DynamoRolloutStoreOptions,
  MalformedItemError,
} from '../../lib/adapters/dynamodb/index.ts';
import { stateItem } from '../../lib/adapters/dynamodb/items.ts';
import {
  DUE_PKS,
  DUE_SHARDS,
  duePK,
  dueSK as dueSKOf,
  rolloutPK,
  STATE_SK,
} from '../../lib/adapters/dynamodb/keys.ts';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { countRequests } from '../support/count-requests.ts';
import { at, fullState, ledgerEntry, NOW, rolloutState } from '../support/rollout-fixtures.ts';
import {
  dueFleet,
  rolloutStoreContract,
  type SeedMany,
  seedMany,
} from '../support/rollout-store-contract.ts';

const endpoint = inject('dynamoEndpoint');
const { client, doc, dynamo } = localDynamoClients(endpoint);
const tables: string[] = [];
const key = (id: string) => ({ PK: rolloutPK(id), SK: STATE_SK });

const newTable = async (): Promise<string> => {
  const tableName = `kanari-test-${randomUUID()}`;
  await createTable({ endpoint, tableName });
  tables.push(tableName);
  return tableName;
};

afterAll(async () => {
  await Promise.all(tables.map((TableName) => client.send(new DeleteTableCommand({ TableName }))));
  client.destroy();
});

const tableOf = new WeakMap<RolloutStore, string>();
const newStore = async (options: Partial<DynamoRolloutStoreOptions> = {}) => {
  const tableName = await newTable();
  const store = createDynamoRolloutStore({ client: dynamo, tableName, ...options });
  tableOf.set(store, tableName);
  return store;
};

/** The state items `create` writes (without ownership items), 25 to a BatchWriteItem. */
const seedTable = async (TableName: string, states: RolloutState[]): Promise<void> => {
  const requests = [];
  for (let start = 0; start < states.length; start += 25) {
    let puts = states.slice(start, start + 25).map((state) => ({
      PutRequest: { Item: stateItem(state) },
    }));
    requests.push(
      (async () => {
        while (puts.length > 0) {
          const { UnprocessedItems } = await doc.send(
            new BatchWriteCommand({ RequestItems: { [TableName]: puts } }),
          );
          puts = (UnprocessedItems?.[TableName] ?? []) as typeof puts;
        }
      })(),
    );
  }
  await Promise.all(requests);
};
const batchSeed: SeedMany = (store, states) =>
  seedTable(tableOf.get(store) ?? expect.fail('not a store of this file'), states);

rolloutStoreContract('DynamoDB rollout store', () => newStore(), { seedMany: batchSeed });

describe('DynamoDB rollout store, beyond the contract', () => {
  it('creates the table from infra/dynamodb-table.yml, and creating it again is harmless', async () => {
    const TableName = await newTable();
    await createTable({ endpoint, tableName: TableName });
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'byTarget',
      'due',
    ]);
  });

  it('finds due rollouts with a Query on each shard of the due index, never a Scan', async () => {
    const tableName = await newTable();
    const { dynamo: counted } = localDynamoClients(endpoint);
    const requests = countRequests(counted);
    const store = createDynamoRolloutStore({ client: counted, tableName });
    await store.create(rolloutState(), []);
    requests.reset();

    expect(await store.listDue(NOW, 10)).toHaveLength(1);
    expect(await store.listInFlight()).toHaveLength(1);
    await store.list({ namespace: 'shop', phase: 'Progressing' });

    const sent = requests.sent.map(({ command, input }) => `${command} ${input.IndexName}`);
    expect(sent).toEqual([
      ...Array(2 * DUE_SHARDS).fill('QueryCommand due'),
      'QueryCommand byTarget',
    ]);
    const shards = requests.sent.slice(0, DUE_SHARDS).map(({ input }) => {
      const values = input.ExpressionAttributeValues as Record<string, string>;
      return values[':due'];
    });
    expect(new Set(shards)).toEqual(new Set(DUE_PKS));
  });

  it('spreads rollouts over the due shards by a hash of the id, and lists them as one', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: dynamo, tableName });
    const fleet = dueFleet(64);
    // Through the store's own create, so the keys checked are the ones it writes.
    await seedMany(store, fleet);
    const stored = await Promise.all(
      fleet.map(async (state) => ({
        id: state.id,
        duePK: (await doc.send(new GetCommand({ TableName: tableName, Key: key(state.id) }))).Item
          ?.duePK,
      })),
    );
    for (const { id, duePK: pk } of stored) {
      expect(pk).toBe(duePK(id));
      expect(pk).toMatch(/^DUE#([0-9]|1[0-5])$/);
    }
    const perShard = new Map<string, number>();
    for (const { duePK: pk } of stored) perShard.set(pk, (perShard.get(pk) ?? 0) + 1);
    console.log(
      `64 rollouts on ${perShard.size} of ${DUE_SHARDS} due shards, at most ${Math.max(...perShard.values())} on one`,
    );
    expect(perShard.size).toBeGreaterThan(8);
    // The hash is stable: these ids land where they always have (SHA-256 of the id).
    expect(['prod/shop/cart', 'prod/fleet-0/r-0', 'sandbox/default/my-service'].map(duePK)).toEqual(
      ['DUE#1', 'DUE#4', 'DUE#2'],
    );
    const due = (await store.listDue(NOW)).map((state) => state.id);
    const sorted = [...fleet]
      .sort((a, b) => Buffer.compare(Buffer.from(dueSKOf(a)), Buffer.from(dueSKOf(b))))
      .map((state) => state.id);
    expect(due).toEqual(sorted);
  });

  it('pages each shard with LastEvaluatedKey to the end, and stops at a limit', async () => {
    const tableName = await newTable();
    const { dynamo: counted } = localDynamoClients(endpoint);
    const requests = countRequests(counted);
    const store = createDynamoRolloutStore({ client: counted, tableName, pageSize: 5 });
    const fleet = dueFleet(300);
    await seedTable(tableName, fleet);
    requests.reset();
    const all = (await store.listDue(NOW)).map((state) => state.id);
    const queries = requests.counts().QueryCommand ?? 0;
    console.log(`listDue of 300 due rollouts in pages of 5: ${queries} Queries`);
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    // Every shard to its last page: at least 300 / 5 pages, plus one empty page per shard at most.
    expect(queries).toBeGreaterThanOrEqual(60);
    expect(queries).toBeLessThanOrEqual(60 + 2 * DUE_SHARDS);
    requests.reset();
    expect((await store.listDue(NOW, 12)).map((state) => state.id)).toEqual(all.slice(0, 12));
    // At most 12 items from a shard: 3 pages of 5 each, or fewer when the shard runs out.
    expect(requests.counts().QueryCommand ?? 0).toBeLessThanOrEqual(3 * DUE_SHARDS);
  });

  it('reads many ids 100 to a BatchGetItem, asking again for unprocessed keys only', async () => {
    const tableName = await newTable();
    const { dynamo: counted } = localDynamoClients(endpoint);
    const requests = countRequests(counted);
    const fleet = dueFleet(250);
    await seedTable(tableName, fleet);
    // DynamoDB Local never leaves keys unprocessed; this client leaves half of the answer to
    // a full batch (100 keys) so, or all of every answer once `refuse` is set.
    let refuse = false;
    const keysOf = (input: unknown) =>
      (input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems[tableName]?.Keys
        .length;
    const unprocessing: typeof counted = {
      ...counted,
      batchGetItem: async (input) => {
        const answer = await counted.batchGetItem(input);
        if (!refuse && keysOf(input) !== 100) return answer;
        const items = answer.Responses?.[tableName] ?? [];
        const kept = refuse ? [] : items.slice(0, Math.ceil(items.length / 2));
        const left = items.slice(kept.length).map((item) => ({ PK: item.PK, SK: item.SK }));
        return {
          Responses: { [tableName]: kept },
          UnprocessedKeys: { [tableName]: { Keys: left } },
        };
      },
    };
    const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };
    const store = createDynamoRolloutStore({ client: unprocessing, tableName, retry: fast });
    requests.reset();
    const asked = fleet.map((state) => state.id).reverse();
    expect((await store.getMany(asked)).map((state) => state.id)).toEqual(asked);
    const batches = requests.sent
      .filter(({ command }) => command === 'BatchGetItemCommand')
      .map(({ input }) => keysOf(input));
    // Three batches (100, 100, 50) at once; the two full ones were answered by half, so two
    // more requests asked for the other half of each, and only that.
    expect(batches.slice(0, 3).sort()).toEqual([100, 100, 50].sort());
    expect(batches.slice(3)).toEqual([50, 50]);

    refuse = true;
    requests.reset();
    await expect(store.getMany(asked.slice(0, 10))).rejects.toBeInstanceOf(UnprocessedKeysError);
    // The first try and its three retries.
    expect(requests.counts()).toEqual({ BatchGetItemCommand: 4 });
  });

  it('writes a check with one TransactWriteItems: the state and its ledger entry, nothing else', async () => {
    const tableName = await newTable();
    const { dynamo: counted } = localDynamoClients(endpoint);
    const requests = countRequests(counted);
    const store = createDynamoRolloutStore({ client: counted, tableName });
    // A step started a minute ago: well inside its progress deadline.
    const state = rolloutState(undefined, { stepStartedAt: at(-1) });
    await store.create(state, [ledgerEntry(state, 'started')]);
    requests.reset();
    const deps: AnalyzeDeps = {
      store,
      bus: new FakeEventBus(),
      now: () => NOW,
      newId: () => 'decision-1',
      // No data: the check is inconclusive and holds.
      metricsFor: () => new FakeMetricsProvider(),
    };
    expect(await analyzeDue(deps)).toMatchObject([{ id: state.id, outcome: 'held' }]);
    expect(requests.counts()).toEqual({
      QueryCommand: DUE_SHARDS,
      TransactWriteItemsCommand: 1,
    });
    const write = requests.sent.at(-1)?.input as TransactWriteCommandInput;
    expect(write.TransactItems?.map((item) => String(item.Put?.Item?.SK).split('#')[0])).toEqual([
      'STATE',
      'LEDGER',
    ]);
  });

  it('keeps the due-index keys on the state item only while the phase is scheduled', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: dynamo, tableName });
    const v1 = rolloutState();
    await store.create(v1, []);
    const raw = async () =>
      (
        await doc.send(
          new GetCommand({ TableName: tableName, Key: { PK: `ROLLOUT#${v1.id}`, SK: 'STATE' } }),
        )
      ).Item;
    expect(await raw()).toMatchObject({
      duePK: duePK(v1.id),
      dueSK: `${v1.nextCheckAt}#${v1.id}`,
    });
    await store.commit({ ...v1, version: 2, phase: 'Paused', pausedFrom: 'Progressing' }, []);
    expect(await raw()).not.toHaveProperty('duePK');
    expect(await raw()).not.toHaveProperty('dueSK');
  });

  it('writes each ledger entry as its own item, keyed by revision, version and time', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: dynamo, tableName });
    const state = rolloutState(undefined, { revision: 3, version: 12 });
    await store.create(state, [ledgerEntry(state, 'a'), ledgerEntry(state, 'b')]);
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `ROLLOUT#${state.id}` },
      }),
    );
    expect(Items.map((item) => item.SK)).toEqual([
      expect.stringMatching(/^LEDGER#000003#0000000012#2030-01-01T12:00:00\.000Z#000#[\w-]+$/),
      expect.stringMatching(/^LEDGER#000003#0000000012#2030-01-01T12:00:00\.000Z#001#[\w-]+$/),
      'STATE',
    ]);
  });

  it('gives ledger entries, and only them, an expiresAt for the table’s TTL when a retention is set', async () => {
    const items = async (store: RolloutStore, tableName: string) => {
      const state = rolloutState(undefined, { revision: 1, version: 1 });
      await store.create(state, [ledgerEntry(state, 'a')]);
      await store.commit({ ...state, version: 2 }, [ledgerEntry(state, 'b')]);
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `ROLLOUT#${state.id}` },
        }),
      );
      return Items.map((item) => [item.SK.split('#')[0], item.expiresAt]);
    };
    const kept = await newTable();
    const expiring = await newTable();
    // The fixtures' entries happen at 2030-01-01T12:00:00Z.
    const expiresAt = Date.UTC(2030, 0, 1, 12) / 1000 + 30 * 86_400;
    expect(
      await items(createDynamoRolloutStore({ client: dynamo, tableName: kept }), kept),
    ).toEqual([
      ['LEDGER', undefined],
      ['LEDGER', undefined],
      ['STATE', undefined],
    ]);
    const store = createDynamoRolloutStore({
      client: dynamo,
      tableName: expiring,
      ledgerRetentionDays: 30,
    });
    expect(await items(store, expiring)).toEqual([
      ['LEDGER', expiresAt],
      ['LEDGER', expiresAt],
      ['STATE', undefined],
    ]);
  });

  it('rejects a malformed item read back with an error naming the item', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: dynamo, tableName });
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          PK: 'ROLLOUT#prod/shop/cart',
          SK: 'STATE',
          version: 1,
          state: { id: 'prod/shop/cart' },
        },
      }),
    );
    const read = store.get('prod/shop/cart');
    await expect(read).rejects.toBeInstanceOf(MalformedItemError);
    await expect(read).rejects.toThrow(/ROLLOUT#prod\/shop\/cart STATE/);
  });

  it('rejects a state whose compare counts are malformed, naming the field', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: dynamo, tableName });
    const state = fullState();
    const item = stateItem(state);
    const broken = structuredClone(item) as {
      state: { analysis: { tests: Record<string, { compare: { logLR: unknown } }> } };
    };
    const test = broken.state.analysis.tests['request-duration@p50'];
    if (test) test.compare.logLR = 'not a list';
    await doc.send(
      new PutCommand({ TableName: tableName, Item: broken as Record<string, unknown> }),
    );
    const read = store.get(state.id);
    await expect(read).rejects.toBeInstanceOf(MalformedItemError);
    await expect(read).rejects.toThrow(/logLR/);
  });

  it('leaves an unreadable item out of due and in-flight listings, reports it, and lists the rest', async () => {
    const tableName = await newTable();
    const problems: string[] = [];
    const store = createDynamoRolloutStore({
      client: dynamo,
      tableName,
      onUnreadable: (problem) => problems.push(problem),
    });
    await store.create(rolloutState('prod/shop/cart'), []);
    await store.create(rolloutState('prod/shop/till'), []);
    // A bad item on the due index, as a bug or a hand edit could leave it.
    const broken = structuredClone(stateItem(rolloutState('prod/shop/till'))) as {
      state: { spec: unknown };
    };
    broken.state.spec = 'not a spec';
    await doc.send(
      new PutCommand({ TableName: tableName, Item: broken as unknown as Record<string, unknown> }),
    );

    expect((await store.listDue(NOW, 10)).map((state) => state.id)).toEqual(['prod/shop/cart']);
    expect((await store.listInFlight(10)).map((state) => state.id)).toEqual(['prod/shop/cart']);
    expect((await store.list({})).map((state) => state.id)).toEqual(['prod/shop/cart']);
    expect(
      (await store.getMany(['prod/shop/till', 'prod/shop/cart'])).map((state) => state.id),
    ).toEqual(['prod/shop/cart']);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/ROLLOUT#prod\/shop\/till STATE/);
    // Reading the one rollout still says what is wrong with it.
    await expect(store.get('prod/shop/till')).rejects.toBeInstanceOf(MalformedItemError);
  });
});
