import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { analyzeShard, scheduledTick } from '../../lib/app/analyze-tick.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { fanOutFleet } from '../support/fleet.ts';

describe('fan-out of a scheduled tick, on DynamoDB Local', () => {
  const tableName = `kanari-fan-out-${Date.now()}`;
  let clients: ReturnType<typeof localDynamoClients>;

  beforeAll(async () => {
    await createTable({ endpoint: inject('dynamoEndpoint'), tableName });
    clients = localDynamoClients(inject('dynamoEndpoint'));
  });
  afterAll(() => clients?.client.destroy());

  it('hands out shards whose invocations judge each of 130 due rollouts once', async () => {
    const store = createDynamoRolloutStore({ client: clients.dynamo, tableName });
    const f = await fanOutFleet(130, 50, store);
    expect(await scheduledTick(f.deps)).toEqual({ outcome: 'fanned-out', due: 130, shards: 3 });
    expect(f.requested.map((s) => s.ids.length)).toEqual([50, 50, 30]);
    const judged = (
      await Promise.all(f.requested.map((shard) => analyzeShard(f.deps, shard)))
    ).flat();
    expect(judged.map((r) => r.id).sort()).toEqual([...f.ids].sort());
    expect(judged.every((r) => r.outcome === 'decided' || r.outcome === 'held')).toBe(true);
    for (const id of f.ids) expect(await f.checks(id)).toBe(1);
    // The next tick finds nothing left to judge from this one.
    const next = await scheduledTick(f.deps);
    expect(
      next.outcome === 'analyzed' ? next.results.filter((r) => r.outcome === 'held') : [],
    ).toEqual([]);
  });
});
