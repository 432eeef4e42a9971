import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { WorkloadRef } from '../../lib/domain/count-queries.ts';
import type { MetricResult } from '../../lib/domain/judge.ts';
import type { MetricSpec, RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { type FakeAnswer, FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedVirtualService } from '../support/fixtures.ts';
import { fleetName, fleetSpec, fleetWorkloads } from '../support/fleet.ts';

// A fleet of rollouts in one tick: each has its own workloads (svc-i primary, svc-i-v2
// canary), so a grouped answer must be split right for each.

const name = fleetName;
const workloadsOf = fleetWorkloads;
const indexOf = (workload: string) => Number(/svc-(\d+)/.exec(workload)?.[1]);

/** Every workload's own numbers: success rate, p99 and requests differ per rollout and side. */
const fleetAnswer = (query: string, workload?: WorkloadRef): FakeAnswer => {
  if (!workload) return 7; // a custom query, asked per rollout
  const i = indexOf(workload.workload);
  const canary = workload.workload.endsWith('-v2');
  if (query.startsWith('sum(increase(')) return (canary ? 1000 : 5000) + i;
  if (query.startsWith('histogram_quantile')) return (canary ? 100 : 200) + i;
  return canary ? 99 + i / 1000 : 99.9 - i / 10_000;
};

const fleet = async (
  count: number,
  options: {
    answer?: typeof fleetAnswer;
    spec?: (i: number) => RolloutSpec;
    store?: RolloutStore;
    missing?: string;
  } = {},
) => {
  const ports = fakePorts(options.store ? { store: options.store } : {});
  const answer = options.answer ?? fleetAnswer;
  const workloads = workloadsOf(count).filter((w) => w.workload !== options.missing);
  const metrics = FakeMetricsProvider.perWorkload(answer, workloads);
  const operator = { type: 'operator', actor: 'test', reason: 'start' } as const;
  for (let i = 0; i < count; i++) {
    const vs = seedVirtualService();
    vs.metadata.name = name(i);
    ports.router.put('sandbox', vs);
    await startRollout(ports.core, (options.spec ?? fleetSpec)(i), operator);
  }
  await ports.deliver();
  ports.advance(60_000);
  const deps: AnalyzeDeps = { ...ports.core, metricsFor: () => metrics };
  const tick = () => analyzeDue(deps, { limit: count });
  const lastCheck = async (i: number): Promise<MetricResult[]> => {
    const { entries } = await ports.store.ledger(`sandbox/default/${name(i)}`);
    return entries.filter((e) => e.kind === 'check').at(-1)?.check?.metrics ?? [];
  };
  return { ...ports, metrics, tick, lastCheck };
};

describe('one tick for many rollouts', () => {
  it('asks each grouped built-in query once, however many rollouts there are', async () => {
    const asked = async (count: number) => {
      const w = await fleet(count);
      const outcomes = await w.tick();
      expect(outcomes).toHaveLength(count);
      expect(outcomes.every((o) => o.outcome === 'decided')).toBe(true);
      return w.metrics.queries;
    };
    const many = await asked(200);
    const few = await asked(20);
    console.log(
      `analyze tick, threshold spec: 200 rollouts → ${many.length} queries, 20 → ${few.length} (per-rollout queries before: 8 a rollout)`,
    );
    expect(many).toHaveLength(3); // success rate, p99, requests: canary and primary alike
    expect(new Set(many).size).toBe(3);
    expect(few).toEqual(many);
    for (const query of many) expect(query).not.toContain('svc-');
  });

  it('gives each rollout its own canary’s and primary’s values', async () => {
    const w = await fleet(200);
    await w.tick();
    for (const i of [0, 1, 57, 199]) {
      const [success, duration] = await w.lastCheck(i);
      expect(success).toMatchObject({
        value: 99 + i / 1000,
        primaryValue: 99.9 - i / 10_000,
        sampleSize: 1000 + i,
        primarySampleSize: 5000 + i,
        verdict: 'pass',
      });
      expect(success?.query).toContain(`destination_workload=~"${name(i)}-v2"`);
      expect(success).not.toHaveProperty('queriedAlone');
      expect(duration).toMatchObject({ value: 100 + i, primaryValue: 200 + i });
    }
  });

  it('gives a rollout missing from the answer no data, and only that one', async () => {
    const w = await fleet(20, { missing: `${name(7)}-v2` });
    const outcomes = await w.tick();
    const byName = Object.fromEntries(outcomes.map((o) => [o.id.split('/').at(-1), o]));
    expect(byName[name(7)]).toMatchObject({ outcome: 'held', verdict: 'inconclusive' });
    const metrics = await w.lastCheck(7);
    expect(metrics.map((m) => [m.value, m.sampleSize])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(metrics[0]?.primaryValue).toBe(99.9 - 7 / 10_000);
    for (const i of [6, 8]) expect(byName[name(i)]).toMatchObject({ verdict: 'pass' });
  });

  it('marks every rollout that used a failed grouped query as source down', async () => {
    const failing = (query: string, workload?: WorkloadRef) =>
      query.startsWith('histogram_quantile')
        ? new MetricsQueryError('Prometheus query failed: HTTP 503')
        : fleetAnswer(query, workload);
    const w = await fleet(10, { answer: failing });
    const outcomes = await w.tick();
    expect(outcomes.every((o) => o.outcome === 'held')).toBe(true);
    for (let i = 0; i < 10; i++) {
      const [success, duration] = await w.lastCheck(i);
      expect(success?.sourceDown).toBeUndefined();
      expect(duration?.sourceDown).toBe('Prometheus query failed: HTTP 503');
    }
    expect(w.metrics.queries).toHaveLength(3);
  });

  it('asks a custom query per rollout, and the ledger says why', async () => {
    const custom: MetricSpec = {
      name: 'queue-depth',
      query: 'max(queue_depth{app="{{ target }}"})',
      thresholdRange: { max: 10 },
    };
    const spec = (i: number) =>
      fleetSpec(i, [custom, { name: 'request-success-rate', thresholdRange: { min: 99 } }]);
    const w = await fleet(20, { spec });
    await w.tick();
    const customQueries = w.metrics.queries.filter((q) => q.startsWith('max('));
    expect(customQueries).toHaveLength(40); // canary and primary of each rollout
    expect(new Set(customQueries).size).toBe(40);
    expect(w.metrics.queries).toHaveLength(42); // + the grouped success rate and requests
    const [queue, success] = await w.lastCheck(3);
    expect(queue).toMatchObject({
      value: 7,
      query: `max(queue_depth{app="${name(3)}-v2"})`,
      queriedAlone: 'custom query: cannot be grouped by workload',
    });
    expect(success).not.toHaveProperty('queriedAlone');
  });

  it('hands every judged check to the store in one commitAll, a stale one failing alone', async () => {
    const store = createInMemoryRolloutStore();
    const calls: number[] = [];
    const commitAll = store.commitAll.bind(store);
    const w = await fleet(100, { store });
    let raced = false;
    store.commitAll = async (commits) => {
      calls.push(commits.length);
      // Another writer moves one rollout first: its check must be discarded, alone.
      const first = commits[0];
      if (first && !raced) {
        raced = true;
        const current = await store.get(first.state.id);
        if (current) await store.commit({ ...current, version: current.version + 1 }, []);
      }
      return commitAll(commits);
    };
    const outcomes = await w.tick();
    expect(calls).toEqual([100]);
    expect(outcomes.filter((o) => o.outcome === 'raced')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'decided')).toHaveLength(99);
  });
});

describe('one tick for many rollouts with the compare judge', () => {
  const compare = (i: number) =>
    fleetSpec(i, [{ name: 'request-success-rate' }, { name: 'request-duration' }]);
  /** Steady counters per workload, 10 requests/s a side, 1% errors, 1% above 250 ms. */
  const counters = (count: number) => (query: string, t: number) => {
    return workloadsOf(count).flatMap((w) => {
      const labels = {
        destination_workload_namespace: w.namespace,
        destination_workload: w.workload,
      };
      const requests = Math.round((t - 1_700_000_000) * 10);
      if (query.includes('increase(istio_request_duration_milliseconds_bucket'))
        return ['250', '1000', '+Inf'].map((le) => ({
          labels: { ...labels, le },
          value: le === '250' ? 990 : 1000,
        }));
      if (query.includes('response_code')) return [{ labels, value: requests / 100 }];
      if (query.includes('le=~')) return [{ labels, value: requests - requests / 100 }];
      return [{ labels, value: requests }];
    });
  };

  it('reads each grouped count once a tick; the bound only at a step’s first check', async () => {
    const ticks = async (count: number) => {
      const ports = fakePorts();
      const metrics = new FakeMetricsProvider({}, counters(count));
      const operator = { type: 'operator', actor: 'test', reason: 'start' } as const;
      for (let i = 0; i < count; i++) {
        const vs = seedVirtualService();
        vs.metadata.name = name(i);
        ports.router.put('sandbox', vs);
        await startRollout(ports.core, compare(i), operator);
      }
      await ports.deliver();
      const deps: AnalyzeDeps = { ...ports.core, metricsFor: () => metrics };
      const asked: string[][] = [];
      for (let tick = 0; tick < 2; tick++) {
        ports.advance(60_000);
        const before = metrics.queries.length;
        const outcomes = await analyzeDue(deps, { limit: count });
        expect(outcomes.filter((o) => o.outcome === 'error')).toEqual([]);
        asked.push(metrics.queries.slice(before));
        // Each rollout's own counts: 10 requests/s a side, 1% of them 5xx, over 60 s a tick.
        const state = await ports.store.get(`sandbox/default/${name(count - 1)}`);
        const counted = state?.analysis?.tests['request-success-rate']?.compare;
        if (tick === 0)
          expect([counted?.canary, counted?.primary]).toEqual([
            { requests: 600, bad: 6 },
            { requests: 600, bad: 6 },
          ]);
      }
      return asked;
    };
    const [first, second] = await ticks(200);
    const [firstFew, secondFew] = await ticks(20);
    console.log(
      `analyze tick, compare spec: 200 rollouts → ${first?.length} queries at the step's first check, ${second?.length} after; 20 → ${firstFew?.length}, ${secondFew?.length}`,
    );
    // requests, 5xx, at or below the p99 bound: one range query each for all rollouts, plus
    // each rollout's own bound query at its step's first check (its step start is its own).
    expect(second).toHaveLength(3);
    expect(secondFew).toEqual(second);
    expect(first).toHaveLength(3 + 200);
    expect(first?.filter((q) => !q.includes('svc-'))).toEqual(second);
  });
});
