import {
  type AnalysisState,
  type CompareTest,
  type CompareTestEvidence,
  type CompareTestState,
  combineTests,
  compareTestsOf,
  foldBuckets,
  labelOf,
  readFrom,
} from '../domain/analysis-state.ts';
import { durationMs } from '../domain/duration.ts';
import type { MetricResult } from '../domain/judge.ts';
import { type CountBucket, compareVerdict, initialCompareState } from '../domain/judge-compare.ts';
import type { MetricSpec, RolloutSpec } from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';
import {
  alignedToBuckets,
  countBuckets,
  customCountBuckets,
  primaryBucketBound,
  primaryBuckets,
} from './measure-counts.ts';

/** The primary's latency bound is read over at least this much time before the step. */
const BOUND_WINDOW_SECONDS = 600;

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The smallest histogram bound (ms) at or above `ms` the primary's histogram has. */
const bucketAtOrAbove = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  ms: number,
  window: { end: Date; seconds: number },
): Promise<number | null> => {
  const bounds = (await primaryBuckets(metrics, spec, window))
    .map((s) => Number(s.labels.le))
    .filter((le) => Number.isFinite(le) && le >= ms);
  return bounds.length > 0 ? Math.min(...bounds) : null;
};

interface TestOutcome {
  test: CompareTest;
  state: CompareTestState;
  evidence?: CompareTestEvidence;
  /** This check's own buckets, for the chart's per-check rates. */
  buckets: CountBucket[];
  error?: string;
  /** The backend's own failure, when that is why there is no evidence. */
  down?: string;
}

/** Where a metric's own counts are read (its `provider`, see providerOf). */
export type ProviderFor = (metric: MetricSpec) => MetricsProvider;

const runTest = async (
  metrics: MetricsProvider,
  providerFor: ProviderFor,
  rollout: RolloutState,
  test: CompareTest,
  previous: CompareTestState | undefined,
  newStep: boolean,
  now: Date,
): Promise<TestOutcome> => {
  const { spec } = rollout;
  const stepStart = Date.parse(rollout.stepStartedAt);
  const prior: CompareTestState = previous ?? { compare: initialCompareState(test.config) };
  try {
    let boundMs = prior.boundMs;
    if (test.bound && (newStep || boundMs === undefined || boundMs === null)) {
      const window = {
        end: new Date(stepStart),
        seconds: Math.max(
          BOUND_WINDOW_SECONDS,
          Math.round(durationMs(spec.analysis.interval) / 1000),
        ),
      };
      boundMs =
        'percentile' in test.bound
          ? await primaryBucketBound(metrics, spec, test.bound.percentile, window)
          : await bucketAtOrAbove(metrics, spec, test.bound.ms, window);
    }
    if (test.bound && (boundMs === null || boundMs === undefined)) {
      return {
        test,
        state: { ...prior, boundMs: null },
        buckets: [],
        error: 'no latency bound yet: the primary served no request before the step',
      };
    }
    // On the epoch-aligned 10 s grid: the first read rounds its start up to a multiple of 10 s,
    // later reads continue from the last bucket's t, so every rollout's buckets end at the same
    // times and a tick reads each count once for all of them.
    const from = alignedToBuckets(readFrom(prior.compare, stepStart / 1000, now.getTime() / 1000));
    const range = { from: new Date(from * 1000), to: now };
    const metric = spec.analysis.metrics.find((m) => m.name === test.metric) as MetricSpec;
    const buckets = test.counts
      ? await customCountBuckets(
          providerFor(metric),
          spec,
          test.counts,
          metric.interval ?? spec.analysis.interval,
          range,
        )
      : await countBuckets(
          metrics,
          spec,
          test.bound ? { slowerThanMs: boundMs as number } : 'errors',
          range,
        );
    const config = { ...test.config, label: labelOf(test, boundMs) };
    const compare = foldBuckets(
      prior.compare,
      buckets,
      { newStep: newStep && previous !== undefined, startedAtSeconds: stepStart / 1000 },
      config,
    );
    const { verdict, evidence } = compareVerdict(compare, config);
    const state: CompareTestState = test.bound
      ? { boundMs: boundMs as number, compare }
      : { compare };
    return {
      test,
      state,
      buckets,
      evidence: {
        ...evidence,
        key: test.key,
        label: config.label,
        ...(test.bound ? { boundMs: boundMs as number } : {}),
        alpha: test.config.alpha,
        verdict,
      },
    };
  } catch (error) {
    const down = message(error);
    return { test, state: prior, buckets: [], error: `query failed: ${down}`, down };
  }
};

const percentBad = (buckets: readonly CountBucket[], side: 'canary' | 'primary'): number | null => {
  const requests = buckets.reduce((sum, b) => sum + b[side].requests, 0);
  const bad = buckets.reduce((sum, b) => sum + b[side].bad, 0);
  return requests > 0 ? Math.round((bad / requests) * 1e6) / 1e4 : null;
};

const metricResult = (name: string, outcomes: readonly TestOutcome[]): MetricResult => {
  const failed = outcomes.filter((o) => o.error !== undefined);
  const tests = outcomes.flatMap((o) => (o.evidence ? [o.evidence] : []));
  const verdict =
    failed.length > 0 && !tests.some((t) => t.verdict === 'regression')
      ? 'inconclusive'
      : combineTests(tests.map((t) => t.verdict));
  const reasons = [
    ...failed.map((o) => o.error as string),
    ...tests.map((t) => (outcomes.length > 1 ? `${t.label}: ${t.reason}` : t.reason)),
  ];
  const first = outcomes[0];
  return {
    name,
    query: '',
    judge: 'compare',
    value: first ? percentBad(first.buckets, 'canary') : null,
    primaryValue: first ? percentBad(first.buckets, 'primary') : null,
    ...(first?.evidence ? { sampleSize: first.evidence.canary.requests } : {}),
    ...(first?.evidence ? { primarySampleSize: first.evidence.primary.requests } : {}),
    ...(tests.length > 0 && tests.length === outcomes.length
      ? { waitingForTraffic: tests.every((t) => t.waitingForTraffic) }
      : {}),
    evidence: { judge: 'compare', tests },
    ...(failed.some((o) => o.down) ? { sourceDown: failed.find((o) => o.down)?.down } : {}),
    verdict,
    reason: reasons.join('; '),
  };
};

/**
 * Runs the rollout's compare tests on the counts since each test's last bucket and returns a
 * result per metric, with the state to store for the next check. `value` and `primaryValue` are
 * this check's bad-event percentages (5xx, or slower than the bound), for the chart.
 */
export const measureCompare = async (
  metrics: MetricsProvider,
  rollout: RolloutState,
  now: Date,
  providerFor: ProviderFor = () => metrics,
): Promise<{ results: Map<string, MetricResult>; analysis: AnalysisState }> => {
  const tests = compareTestsOf(rollout.spec);
  const previous = rollout.analysis;
  const newStep = previous !== undefined && previous.stepStartedAt !== rollout.stepStartedAt;
  const outcomes = await Promise.all(
    tests.map((test) =>
      runTest(
        metrics,
        providerFor,
        rollout,
        test,
        previous?.tests[test.key],
        newStep || !previous,
        now,
      ),
    ),
  );
  const results = new Map<string, MetricResult>();
  for (const name of new Set(tests.map((t) => t.metric))) {
    results.set(
      name,
      metricResult(
        name,
        outcomes.filter((o) => o.test.metric === name),
      ),
    );
  }
  return {
    results,
    analysis: {
      stepStartedAt: rollout.stepStartedAt,
      tests: Object.fromEntries(outcomes.map((o) => [o.test.key, o.state])),
    },
  };
};
