import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { type RunningPrometheus, startPrometheus } from '../../sandbox/prometheus.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

// A real Prometheus, up and then stopped for longer than a tick: "no data" while it is up,
// "metric source down" once it is gone, both counted toward the deadline, and never a step.

describe('a metric source that is down for longer than a tick', () => {
  const tableName = `kanari-source-down-${Date.now()}`;
  let clients: ReturnType<typeof localDynamoClients>;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    await createTable({ endpoint: inject('dynamoEndpoint'), tableName });
    clients = localDynamoClients(inject('dynamoEndpoint'));
    prometheus = await startPrometheus({ scrapeTargets: [] });
  });
  afterAll(async () => {
    await prometheus?.stop();
    clients?.client.destroy();
  });

  it('holds, says the source is down, counts toward the deadline, then pauses', async () => {
    const url = prometheus?.url ?? expect.fail('no prometheus');
    let clock = Date.now();
    let ids = 0;
    const store = createDynamoRolloutStore({ client: clients.dynamo, tableName });
    const bus = new FakeEventBus();
    const router = new FakeTrafficRouter();
    router.put('sandbox', seedVirtualService());
    const core = { store, bus, now: () => new Date(clock), newId: () => `id-${++ids}` };
    const metrics = createPrometheusMetricsProvider({ url, timeoutMs: 2_000 });
    const analyze: AnalyzeDeps = { ...core, metricsFor: () => metrics };
    const apply: ApplyDeps = { ...core, router };
    const spec = seedSpec({ progressDeadline: '4m' });
    await startRollout(core, spec, { type: 'scheduler' });
    for (const event of bus.drain())
      if (event.detail.targetWeight !== undefined) await applyDecision(apply, event.detail);
    const id = 'sandbox/default/my-service';
    const tick = async () => {
      clock += 60_000;
      return analyzeDue(analyze);
    };

    // Up, with no series at all: no data.
    expect(await tick()).toEqual([{ id, outcome: 'held', verdict: 'inconclusive' }]);
    expect((await store.get(id))?.message).toBe(
      'Check inconclusive at 10% (request-success-rate no data · request-duration no data); holding',
    );

    await prometheus?.stop();
    prometheus = undefined;
    const held = [];
    for (let i = 0; i < 2; i++) {
      expect(await tick()).toEqual([{ id, outcome: 'held', verdict: 'inconclusive' }]);
      held.push((await store.get(id))?.message ?? '');
    }
    for (const message of held) {
      expect(message).toMatch(
        /^Metric source down at 10% \(request-success-rate: .+ · request-duration: .+\); holding, and the time counts toward the progress deadline of 4m$/,
      );
    }
    const { entries } = await store.ledger(id);
    const down = entries.filter(
      (e) => e.kind === 'check' && e.check?.metrics.every((m) => m.sourceDown),
    );
    expect(down).toHaveLength(2);
    expect(down[0]?.check?.metrics.some((m) => m.waitingForTraffic)).toBe(false);

    // Four minutes into the step, the deadline is past: it pauses where the traffic is.
    expect(await tick()).toEqual([
      {
        id,
        outcome: 'decided',
        verdict: 'inconclusive',
        events: ['Pause Requested'],
        decisionId: expect.any(String),
      },
    ]);
    const paused = await store.get(id);
    expect(paused).toMatchObject({ phase: 'Paused', canaryWeight: 10 });
    expect(paused?.message).toMatch(
      /^Metric source down at 10% .*: progress deadline of 4m exceeded; paused at 10%/,
    );
    expect(router.patches).toHaveLength(1);
  });
});
