import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRolloutStore, MalformedItemError } from '../../lib/adapters/dynamodb/index.ts';
import { stateItem } from '../../lib/adapters/dynamodb/items.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { fullState, ledgerEntry, NOW, rolloutState } from '../support/rollout-fixtures.ts';
import { rolloutStoreContract } from '../support/rollout-store-contract.ts';

const endpoint = inject('dynamoEndpoint');
const { client, doc } = localDynamoClients(endpoint);
const tables: string[] = [];

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

rolloutStoreContract('DynamoDB rollout store', async () =>
  createDynamoRolloutStore({ client: doc, tableName: await newTable() }),
);

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

  it('finds due rollouts with a Query on the due index, never a Scan', async () => {
    const tableName = await newTable();
    const { doc: recorded } = localDynamoClients(endpoint);
    const sent: { command: string; index?: string }[] = [];
    type Command = { constructor: { name: string }; input: { IndexName?: string } };
    const send = recorded.send.bind(recorded) as (command: Command, ...rest: unknown[]) => unknown;
    recorded.send = ((command: Command, ...rest: unknown[]) => {
      sent.push({ command: command.constructor.name, index: command.input.IndexName });
      return send(command, ...rest);
    }) as typeof recorded.send;
    const store = createDynamoRolloutStore({ client: recorded, tableName });
    await store.create(rolloutState(), []);
    sent.length = 0;

    expect(await store.listDue(NOW, 10)).toHaveLength(1);
    await store.list({ namespace: 'shop', phase: 'Progressing' });

    expect(sent).toEqual([
      { command: 'QueryCommand', index: 'due' },
      { command: 'QueryCommand', index: 'byTarget' },
    ]);
    recorded.destroy();
  });

  it('keeps the due-index keys on the state item only while the phase is scheduled', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: doc, tableName });
    const v1 = rolloutState();
    await store.create(v1, []);
    const raw = async () =>
      (
        await doc.send(
          new GetCommand({ TableName: tableName, Key: { PK: `ROLLOUT#${v1.id}`, SK: 'STATE' } }),
        )
      ).Item;
    expect(await raw()).toMatchObject({ duePK: 'DUE', dueSK: `${v1.nextCheckAt}#${v1.id}` });
    await store.commit({ ...v1, version: 2, phase: 'Paused', pausedFrom: 'Progressing' }, []);
    expect(await raw()).not.toHaveProperty('duePK');
    expect(await raw()).not.toHaveProperty('dueSK');
  });

  it('writes each ledger entry as its own item, keyed by revision, version and time', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: doc, tableName });
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

  it('rejects a malformed item read back with an error naming the item', async () => {
    const tableName = await newTable();
    const store = createDynamoRolloutStore({ client: doc, tableName });
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
    const store = createDynamoRolloutStore({ client: doc, tableName });
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
      client: doc,
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
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/ROLLOUT#prod\/shop\/till STATE/);
    // Reading the one rollout still says what is wrong with it.
    await expect(store.get('prod/shop/till')).rejects.toBeInstanceOf(MalformedItemError);
  });
});
