import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cloudWatchClient } from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { createCloudWatchMetricsProvider } from '../../lib/adapters/cloudwatch/metric-data.ts';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { CompareTestEvidence } from '../../lib/domain/analysis-state.ts';
import type { MetricResult } from '../../lib/domain/judge.ts';
import { TERMINAL_PHASES } from '../../lib/domain/phase.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { type CloudWatchMetric, CloudWatchMetrics } from '../support/cloudwatch-metrics.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';
import { startAwsStandIn, TEST_CREDENTIALS } from '../support/sigv4-check.ts';

// The compare judge on counts from CloudWatch: a rollout whose metric is the application's own
// request and error counts (published to CloudWatch per minute, two minutes late), read by the
// CloudWatch provider with SigV4 from a stand-in that checks each request's signature and
// answers GetMetricData from the published datapoints (test/support/cloudwatch-metrics.ts).
// Each tick publishes the minute just gone, split between canary and primary by the weight the
// router holds; the rollout's state and ledger live in DynamoDB Local.

const metric = (name: string, namespace: string, service: string): CloudWatchMetric => ({
  Namespace: 'Shop',
  MetricName: name,
  Dimensions: [
    { Name: 'Namespace', Value: namespace },
    { Name: 'Service', Value: service },
  ],
});
const stat = (id: string, name: string) => ({
  Id: id,
  MetricStat: { Metric: metric(name, '{{ namespace }}', '{{ target }}'), Period: 60, Stat: 'Sum' },
});
/** Requests, and bad ones as metric math: 5xx answers plus timeouts. */
const COUNTS = {
  requests: JSON.stringify([stat('requests', 'Requests')]),
  bad: JSON.stringify([
    { ...stat('errors', 'Errors5xx'), ReturnData: false },
    { ...stat('timeouts', 'Timeouts'), ReturnData: false },
    { Id: 'bad', Expression: 'errors + timeouts' },
  ]),
};
const REQUESTS_PER_MINUTE = 20_000;

/** A compare metric's tests, from its check result. */
const testsOf = (result: MetricResult | undefined): CompareTestEvidence[] =>
  (result?.evidence as { tests?: CompareTestEvidence[] } | undefined)?.tests ?? [];

describe('the compare judge on counts from CloudWatch', () => {
  const tableName = `kanari-cloudwatch-counts-${Date.now()}`;
  let clients: ReturnType<typeof localDynamoClients>;
  let clock = Math.ceil(Date.now() / 60_000) * 60_000;
  const published = new CloudWatchMetrics(() => clock / 1000, 120);
  let standIn: Awaited<ReturnType<typeof startAwsStandIn>>;

  beforeAll(async () => {
    await createTable({ endpoint: inject('dynamoEndpoint'), tableName });
    clients = localDynamoClients(inject('dynamoEndpoint'));
    standIn = await startAwsStandIn({ answer: published.answer });
  });
  afterAll(async () => {
    await standIn?.close();
    clients?.client.destroy();
  });

  /** Runs a rollout in namespace `name` until it ends (or 40 ticks), its canary failing at `canaryBad`. */
  const run = async (name: string, canaryBad: number) => {
    let ids = 0;
    const store = createDynamoRolloutStore({ client: clients.dynamo, tableName });
    const bus = new FakeEventBus();
    const router = new FakeTrafficRouter();
    router.put('sandbox', seedVirtualService(name));
    const core = { store, bus, now: () => new Date(clock), newId: () => `${name}-${++ids}` };
    const cloudwatch = createCloudWatchMetricsProvider({
      client: cloudWatchClient({
        region: 'eu-west-1',
        endpoint: standIn.url,
        credentials: TEST_CREDENTIALS,
        retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 },
      }),
      now: () => new Date(clock),
    });
    const prometheus: MetricsProvider = {
      runQuery: () => Promise.reject(new Error('no Prometheus here')),
      queryVector: () => Promise.reject(new Error('no Prometheus here')),
      queryRange: () => Promise.reject(new Error('no Prometheus here')),
      isOnline: async () => false,
    };
    const analyze: AnalyzeDeps = {
      ...core,
      metricsFor: () => prometheus,
      metricsNamed: (provider) => {
        expect(provider).toBe('cloudwatch');
        return cloudwatch;
      },
    };
    const apply: ApplyDeps = { ...core, router };
    const base = seedSpec({
      stepWeights: [10, 50],
      progressDeadline: '15m',
      metrics: [{ name: 'checkout', counts: COUNTS, provider: 'cloudwatch' }],
    });
    const spec = { ...base, target: { ...base.target, namespace: name } };
    const id = `sandbox/${name}/my-service`;
    const applyAll = async () => {
      for (const event of bus.drain())
        if (event.detail.targetWeight !== undefined) await applyDecision(apply, event.detail);
    };
    const startedAt = clock / 1000;
    await startRollout(core, spec, { type: 'scheduler' });
    await applyAll();
    for (let tick = 0; tick < 40; tick++) {
      // The minute just gone, at the weight the canary had in it.
      const weight = (await store.get(id))?.canaryWeight ?? 0;
      const t = clock / 1000 - 60;
      const canary = Math.round((REQUESTS_PER_MINUTE * weight) / 100);
      const sides = [
        ['my-service-v2', canary, canaryBad],
        ['my-service', REQUESTS_PER_MINUTE - canary, 0.01],
      ] as const;
      for (const [service, requests, bad] of sides) {
        published.put(metric('Requests', name, service), t, requests);
        published.put(metric('Errors5xx', name, service), t, Math.round(requests * bad * 0.75));
        published.put(metric('Timeouts', name, service), t, Math.round(requests * bad * 0.25));
      }
      clock += 60_000;
      await analyzeDue(analyze);
      await applyAll();
      const state = await store.get(id);
      if (state && TERMINAL_PHASES.includes(state.phase)) break;
    }
    return { store, id, router, startedAt };
  };

  /** The published requests and bad events of a service over the minutes in [from, to). */
  const sumsOf = (namespace: string, service: string, from: number, to: number) => {
    const sum = (name: string) => published.sum(metric(name, namespace, service), from, to);
    return { requests: sum('Requests'), bad: sum('Errors5xx') + sum('Timeouts') };
  };

  it('rolls back a canary with ten times the errors, on exactly the counts CloudWatch holds', async () => {
    const { store, id, router, startedAt } = await run('payments', 0.1);
    const state = await store.get(id);
    expect(state).toMatchObject({ phase: 'RolledBack', canaryWeight: 0 });
    expect(router.patches.at(-1)).toBeDefined();
    const { entries } = await store.ledger(id);
    const checks = entries.filter((e) => e.kind === 'check' && e.check?.metrics[0]?.evidence);
    const last = checks.at(-1)?.check?.metrics[0];
    expect(last).toMatchObject({ name: 'checkout', judge: 'compare', verdict: 'fail' });
    const [test] = testsOf(last);
    expect(test).toMatchObject({ key: 'checkout', label: 'bad events', verdict: 'regression' });
    // What the judge counted is what was published, from the rollout's first whole minute to
    // the last period it read: none lost, none counted twice, none counted before complete.
    const from = Math.ceil(startedAt / 60) * 60;
    const lastT = state?.analysis?.tests.checkout?.compare.lastT ?? expect.fail('no lastT');
    expect(test?.canary).toEqual(sumsOf('payments', 'my-service-v2', from, lastT));
    expect(test?.primary).toEqual(sumsOf('payments', 'my-service', from, lastT));
    expect(test?.canary.bad).toBeGreaterThan(0);
    // Every request the provider sent was signed right (the stand-in answers 403 otherwise).
    expect(standIn.seen.length).toBeGreaterThan(0);
    expect(new Set(standIn.seen.map((s) => s.scope))).toEqual(
      new Set(['eu-west-1/monitoring/aws4_request']),
    );
  });

  it('promotes a canary as healthy as the primary, step by step', async () => {
    const { store, id } = await run('orders', 0.01);
    expect(await store.get(id)).toMatchObject({ phase: 'Succeeded' });
    const { entries } = await store.ledger(id);
    const passed = entries.filter(
      (e) => e.kind === 'check' && e.check?.metrics[0]?.verdict === 'pass',
    );
    expect(passed.map((e) => e.check?.weight)).toEqual([10, 50]);
    expect(entries.some((e) => e.check?.metrics[0]?.verdict === 'fail')).toBe(false);
    // The 50% step was promoted on minutes served at 50% (10,000 canary requests each), not on
    // the 10% step's minutes that CloudWatch published after the step began (2,000 each).
    const [atHalf] = testsOf(passed[1]?.check?.metrics[0]);
    expect(atHalf?.stepCanaryRequests).toBeGreaterThan(0);
    expect((atHalf?.stepCanaryRequests ?? 1) % 10_000).toBe(0);
  });
});
