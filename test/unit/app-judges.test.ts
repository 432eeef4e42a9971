import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { describeEntry } from '../../lib/domain/describe.ts';
import type { MetricSpec, RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { LedgerEntry } from '../../lib/domain/state.ts';
import type { Sample } from '../../lib/ports/metrics-provider.ts';
import { FakeMetricsProvider, type FakeVectors } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec } from '../support/fixtures.ts';

const ID = 'sandbox/default/my-service';
const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000 - 3600;
const CANARY = 'my-service-v2';
const PRIMARY = 'my-service';

/** Per-second traffic of one side at time t (epoch seconds): requests/s and the bad fraction. */
type Traffic = (t: number) => { rps: number; errorRate: number; slowRate: number };
interface World {
  canary: Traffic;
  primary: Traffic;
}

/** Cumulative counters, integrated second by second so that they are whole and consistent. */
const cumulative = (traffic: Traffic, t: number) => {
  let requests = 0;
  let errors = 0;
  let slow = 0;
  for (let s = T0; s < t; s += 10) {
    const { rps, errorRate, slowRate } = traffic(s);
    const n = rps * 10;
    requests += n;
    errors += Math.round(n * errorRate);
    slow += Math.round(n * slowRate);
  }
  return { requests, errors, slow };
};

const row = (workload: string, value: number, extra: Record<string, string> = {}): Sample => ({
  labels: { destination_workload_namespace: 'default', destination_workload: workload, ...extra },
  value,
});

/** Answers the compare judge's count queries (and the p99 bucket bound) from the world. */
const vectors =
  (world: World): FakeVectors =>
  (query, t) => {
    const sides = [
      [CANARY, world.canary],
      [PRIMARY, world.primary],
    ] as const;
    const live = sides.filter(([, traffic]) => cumulative(traffic, t).requests > 0);
    if (query.includes('increase(istio_request_duration_milliseconds_bucket')) {
      // The primary's buckets before the step: 99% at or below 250 ms, the rest at or below 1000.
      return live.flatMap(([workload]) => [
        row(workload, 990, { le: '250' }),
        row(workload, 1000, { le: '1000' }),
        row(workload, 1000, { le: '+Inf' }),
      ]);
    }
    return live.map(([workload, traffic]) => {
      const c = cumulative(traffic, t);
      if (query.includes('response_code')) return row(workload, c.errors);
      if (query.includes('le=~')) return row(workload, c.requests - c.slow);
      return row(workload, c.requests);
    });
  };

const steady =
  (rps: number, errorRate: number, slowRate = 0.01): Traffic =>
  () => ({ rps, errorRate, slowRate });

const compareSpec = (metrics: MetricSpec[] = [{ name: 'request-success-rate' }]): RolloutSpec =>
  seedSpec({ metrics, progressDeadline: '10m' });

const setUp = (spec: RolloutSpec, world: World) => {
  const { store, core, deliver, advance } = fakePorts();
  const metrics = new FakeMetricsProvider({}, vectors(world));
  metrics.now = core.now;
  const deps: AnalyzeDeps = { ...core, metricsFor: () => metrics };
  return {
    store,
    metrics,
    start: async () => {
      await startRollout(core, spec, { type: 'operator', actor: 'test', reason: 'start' });
      await deliver();
    },
    tick: async () => {
      advance(60_000);
      await analyzeDue(deps);
      await deliver();
    },
    state: async () => (await store.get(ID)) ?? expect.fail('no state'),
    checks: async (): Promise<LedgerEntry[]> =>
      (await store.ledger(ID)).entries.filter((e) => e.kind === 'check'),
  };
};

const runUntilDone = async (w: ReturnType<typeof setUp>, ticks: number) => {
  for (let i = 0; i < ticks; i++) {
    await w.tick();
    if ((await w.state()).phase !== 'Progressing') break;
  }
};

describe('the compare judge in scheduled analysis', () => {
  it('rolls a clear regression back at its first check, with the evidence in the ledger', async () => {
    const w = setUp(compareSpec(), { canary: steady(20, 0.1), primary: steady(180, 0.01) });
    await w.start();
    await w.tick();
    const [entry] = await w.checks();
    expect(entry?.decision?.action).toBe('rollback');
    expect((await w.state()).phase).not.toBe('Progressing');
    const metric = entry?.check?.metrics[0];
    expect(metric?.verdict).toBe('fail');
    const evidence = metric?.evidence;
    if (evidence?.judge !== 'compare') return expect.fail('no compare evidence');
    const [test] = evidence.tests;
    // One 60 s check: 6 buckets of 200 canary requests (20 errors) and 1800 primary (18 errors).
    expect(test?.canary).toEqual({ requests: 1200, bad: 120 });
    expect(test?.primary).toEqual({ requests: 10800, bad: 108 });
    expect(test?.threshold).toBe(100); // α = 0.01, one compare test
    expect(test?.eValue).toBeGreaterThanOrEqual(100);
    expect(test?.rhoLow).toBeGreaterThan(1);
    expect(entry?.message).toContain('rolled back at once');
    expect(describeEntry(entry as LedgerEntry)).toMatch(
      /request-success-rate: canary errors 10× primary \(99% CI [\d.]+–[\d.∞]+\), e-value [\d,.e+]+ ≥ 100 → roll back/,
    );
  });

  it('promotes A/A traffic once the steps have served enough requests', async () => {
    const w = setUp(compareSpec(), { canary: steady(20, 0.01), primary: steady(180, 0.01) });
    await w.start();
    await runUntilDone(w, 40);
    expect((await w.state()).phase).toBe('Succeeded');
    const checks = await w.checks();
    expect(checks.some((e) => e.decision?.action === 'rollback')).toBe(false);
    const passed = checks.filter((e) => e.check?.verdict === 'pass');
    expect(passed.length).toBeGreaterThanOrEqual(5);
    for (const entry of passed) {
      const evidence = entry.check?.metrics[0]?.evidence;
      if (evidence?.judge !== 'compare') return expect.fail('no compare evidence');
      expect(evidence.tests[0]?.rhoHigh).toBeLessThan(1.5);
      expect(evidence.tests[0]?.stepCanaryRequests).toBeGreaterThanOrEqual(1000);
    }
  });

  it('does not roll back a shared incident: both sides’ errors rise together', async () => {
    const incident =
      (base: number): Traffic =>
      (t) => ({
        rps: base,
        errorRate: t >= T0 + 3600 + 120 && t < T0 + 3600 + 480 ? 0.3 : 0.01,
        slowRate: 0.01,
      });
    const w = setUp(compareSpec(), { canary: incident(20), primary: incident(180) });
    await w.start();
    await runUntilDone(w, 40);
    const checks = await w.checks();
    expect(checks.some((e) => e.decision?.action === 'rollback')).toBe(false);
    expect((await w.state()).phase).toBe('Succeeded');
  });

  it('holds "waiting for traffic" without traffic and never promotes', async () => {
    const none: Traffic = () => ({ rps: 0, errorRate: 0, slowRate: 0 });
    const w = setUp(compareSpec(), { canary: none, primary: none });
    await w.start();
    for (let i = 0; i < 15; i++) await w.tick(); // 15 minutes: past the 10-minute deadline
    const state = await w.state();
    expect(state.phase).toBe('Progressing');
    expect(state.canaryWeight).toBe(10);
    expect(state.quietMs).toBeGreaterThan(10 * 60_000);
    const checks = await w.checks();
    expect(checks).toHaveLength(15);
    for (const entry of checks) {
      expect(entry.decision?.action).toBe('hold');
      expect(entry.check?.metrics[0]?.waitingForTraffic).toBe(true);
      expect(describeEntry(entry)).toContain('waiting for traffic');
    }
  });

  it('compares request-duration above the primary’s p99 bucket and rolls back a slow canary', async () => {
    const spec = compareSpec([{ name: 'request-duration' }]);
    const w = setUp(spec, { canary: steady(20, 0, 0.2), primary: steady(180, 0, 0.01) });
    await w.start();
    await w.tick();
    const [entry] = await w.checks();
    expect(entry?.decision?.action).toBe('rollback');
    const evidence = entry?.check?.metrics[0]?.evidence;
    if (evidence?.judge !== 'compare') return expect.fail('no compare evidence');
    expect(evidence.tests[0]?.boundMs).toBe(250);
    expect(evidence.tests[0]?.label).toBe('requests slower than 250 ms');
    expect(describeEntry(entry as LedgerEntry)).toContain('request-duration (> 250 ms): canary');
  });

  it('keeps its counts in the rollout state and reads each bucket once', async () => {
    const w = setUp(compareSpec(), { canary: steady(20, 0.01), primary: steady(180, 0.01) });
    await w.start();
    await w.tick();
    await w.tick(); // the first check passed: the second is the next step's first
    const state = await w.state();
    const test = state.analysis?.tests['request-success-rate'];
    expect(test?.compare.canary.requests).toBe(2400);
    expect(test?.compare.primary.requests).toBe(21600);
    expect(state.analysis?.stepStartedAt).toBe(state.stepStartedAt);
  });
});

describe('the mann-whitney judge in scheduled analysis', () => {
  it('fails the check when the canary is classified High', async () => {
    const spec = seedSpec({
      metrics: [
        {
          name: 'cpu',
          query: 'sum(rate(cpu_seconds{pod=~"{{ target }}-.*"}[{{ interval }}]))',
          judge: { type: 'mann-whitney' },
        },
      ],
    });
    const { store, core, deliver, advance } = fakePorts();
    const metrics = new FakeMetricsProvider({}, (query, t) => {
      const wobble = ((t / 10) % 5) * 0.01;
      const value = query.includes(`"${CANARY}-`) ? 2 + wobble : 1 + wobble;
      return [{ labels: {}, value }];
    });
    const deps: AnalyzeDeps = { ...core, metricsFor: () => metrics };
    await startRollout(core, spec, { type: 'operator', actor: 'test', reason: 'start' });
    await deliver();
    advance(60_000);
    await analyzeDue(deps);
    const [entry] = (await store.ledger(ID)).entries.filter((e) => e.kind === 'check');
    const metric = entry?.check?.metrics[0];
    expect(metric?.verdict).toBe('fail');
    expect(entry?.check?.verdict).toBe('fail');
    const evidence = metric?.evidence;
    if (evidence?.judge !== 'mann-whitney') return expect.fail('no mann-whitney evidence');
    expect(evidence.classification).toBe('High');
    expect(evidence.score).toBe(0);
    expect(evidence.canaryPoints).toBe(7);
    expect(describeEntry(entry as LedgerEntry)).toMatch(
      /^Check at 10%: cpu: High, canary mean 2 vs primary 1, shift 1 \(CI [\d.]+–[\d.]+\), score 0 \(pass ≥ 95, marginal ≥ 75\) → fail, hold$/,
    );
    // A Mann–Whitney failure counts toward analysis.threshold (2): held after the first.
    expect(entry?.decision?.action).toBe('hold');
  });
});
