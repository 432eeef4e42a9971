import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { type AnalyzeDeps, analyzeRollout } from '../../lib/app/analyze-due.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

describe('two analyze invocations racing on one rollout, with real DynamoDB Local', () => {
  const tableName = `kanari-race-${Date.now()}`;
  let clients: ReturnType<typeof localDynamoClients>;

  beforeAll(async () => {
    await createTable({ endpoint: inject('dynamoEndpoint'), tableName });
    clients = localDynamoClients(inject('dynamoEndpoint'));
  });
  afterAll(() => clients?.client.destroy());

  it('advances the rollout by one step, not two, in every round', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    let ids = 0;
    const store = createDynamoRolloutStore({ client: clients.dynamo, tableName });
    const bus = new FakeEventBus();
    const router = new FakeTrafficRouter();
    router.put('sandbox', seedVirtualService());
    const metrics = FakeMetricsProvider.perWorkload((query) =>
      query.startsWith('histogram') ? 200 : query.startsWith('sum(increase') ? 1000 : 100,
    );
    const core = { store, bus, now: () => new Date(clock), newId: () => `id-${++ids}` };
    const analyze: AnalyzeDeps = { ...core, metricsFor: () => metrics };
    const apply: ApplyDeps = { ...core, router };
    const { state: started } = await startRollout(core, seedSpec(), { type: 'scheduler' });
    for (const event of bus.drain())
      if (event.detail.targetWeight !== undefined) await applyDecision(apply, event.detail);

    for (const expected of [20, 30, 40]) {
      clock += 60_000;
      const state = (await store.get(started.id)) ?? expect.fail('rollout vanished');
      // Both invocations read the same state, as two overlapping schedule ticks would.
      const outcomes = await Promise.all([
        analyzeRollout(analyze, state),
        analyzeRollout(analyze, structuredClone(state)),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['decided', 'raced']);
      const steps = bus.drain().filter((e) => e.detailType === 'Step Promotion Requested');
      expect(steps).toHaveLength(1);
      await Promise.all([
        applyDecision(apply, steps[0]?.detail ?? expect.fail()),
        applyDecision(apply, steps[0]?.detail ?? expect.fail()),
      ]);
      const after = (await store.get(started.id)) ?? expect.fail('rollout vanished');
      expect(after.canaryWeight).toBe(expected);
    }
    const { entries } = await store.ledger(started.id);
    expect(entries.filter((e) => e.kind === 'check')).toHaveLength(3);
    expect(
      entries.filter((e) => e.kind === 'applied').map((e) => e.applied?.weights.canary),
    ).toEqual([10, 20, 30, 40]);
  });
});
