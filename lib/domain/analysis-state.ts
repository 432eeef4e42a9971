import { DEFAULT_COMPARE } from './compare-defaults.ts';
import {
  type CompareConfig,
  type CompareEvidence,
  type CompareState,
  type CountBucket,
  observeBuckets,
  startStep,
} from './judge-compare.ts';
import {
  alphaOf,
  DEFAULT_LATENCY_BOUNDS,
  judgeOf,
  judgeSpecOf,
  type LatencyBound,
  type MetricCounts,
  type RolloutSpec,
} from './rollout-spec.ts';

/**
 * One compare test of a rollout: a built-in metric, and for request-duration one bound; or a
 * metric with its own counts.
 */
export interface CompareTest {
  /** `request-success-rate`, `request-duration@p99`, `request-duration@500ms`, `checkout`. */
  key: string;
  metric: string;
  bound?: LatencyBound;
  /** A metric's own counts, read from its provider. */
  counts?: MetricCounts;
  /** The test's config, with its share of the rollout's α. */
  config: CompareConfig;
}

/** What one compare test carries from check to check. */
export interface CompareTestState {
  /** request-duration: the bucket bound (ms) of this step; null when it could not be read. */
  boundMs?: number | null;
  compare: CompareState;
}

/** The judges' memory between checks, stored with the rollout (plain JSON). */
export interface AnalysisState {
  /** The step the states below last saw; a different `stepStartedAt` means a new step. */
  stepStartedAt: string;
  tests: Record<string, CompareTestState>;
}

/** The evidence of one compare test, as the ledger keeps it. */
export interface CompareTestEvidence extends CompareEvidence {
  key: string;
  /** What the bad events are: `errors`, `requests slower than 320 ms`. */
  label: string;
  boundMs?: number;
  alpha: number;
  verdict: 'regression' | 'non-inferior' | 'inconclusive';
}

const boundKey = (bound: LatencyBound): string =>
  'percentile' in bound ? `p${bound.percentile}` : `${bound.ms}ms`;

/**
 * Every compare test of the rollout with its α: a metric's own `judge.alpha` is split across
 * its bounds; the rollout's α (alphaOf) is split evenly across all the other tests — Bonferroni,
 * so that the chance of any false rollback stays at most α.
 */
export const compareTestsOf = (spec: RolloutSpec): CompareTest[] => {
  const planned = spec.analysis.metrics
    .filter((metric) => judgeOf(metric) === 'compare')
    .flatMap((metric) => {
      const judge = judgeSpecOf(metric);
      const options = judge.type === 'compare' ? judge : { type: 'compare' as const };
      const bounds: (LatencyBound | undefined)[] =
        metric.name === 'request-duration'
          ? [...(options.bounds ?? DEFAULT_LATENCY_BOUNDS)]
          : [undefined];
      return bounds.map((bound) => ({
        metric: metric.name,
        bound,
        counts: metric.counts,
        options,
        of: bounds.length,
      }));
    });
  const shared = planned.filter((test) => test.options.alpha === undefined).length;
  return planned.map(({ metric, bound, counts, options, of }) => ({
    key: bound ? `${metric}@${boundKey(bound)}` : metric,
    metric,
    ...(bound ? { bound } : {}),
    ...(counts ? { counts } : {}),
    config: {
      alpha:
        options.alpha !== undefined
          ? options.alpha / of
          : alphaOf(spec.analysis) / Math.max(1, shared),
      tolerance: options.tolerance ?? DEFAULT_COMPARE.tolerance,
      k: options.k ?? DEFAULT_COMPARE.k,
      minRequests: DEFAULT_COMPARE.minRequests,
    },
  }));
};

/** The bad events' name for a test and its bound. */
export const labelOf = (test: CompareTest, boundMs: number | null | undefined): string => {
  if (test.counts) return 'bad events';
  return test.bound === undefined ? 'errors' : `requests slower than ${boundMs ?? '?'} ms`;
};

/**
 * Folds one check's buckets into a test's state. When a new step began, buckets that ended
 * before it still count for the old step, then the step totals restart (the evidence for ρ is
 * kept). A bucket that ended before the step and arrives at a later check (a backend that
 * publishes late, as CloudWatch does) counts for the rollout's evidence but not for the step,
 * whose traffic it did not see. No bucket at all leaves the state as it was.
 */
export const foldBuckets = (
  state: CompareState,
  buckets: readonly CountBucket[],
  step: { newStep: boolean; startedAtSeconds: number },
  config: CompareConfig,
): CompareState => {
  const before = buckets.filter((b) => b.t <= step.startedAtSeconds);
  const after = buckets.filter((b) => b.t > step.startedAtSeconds);
  let next = state;
  if (before.length > 0) {
    const observed = observeBuckets(state, before, config);
    next = step.newStep ? observed : { ...observed, step: state.step };
  }
  if (step.newStep) next = startStep(next);
  return after.length > 0 ? observeBuckets(next, after, config) : next;
};

/** How far back one check reads buckets: a rollout left unread for long starts again near now. */
export const MAX_LOOKBACK_SECONDS = 30 * 60;

/**
 * Where a test's next read starts (epoch seconds): after its last bucket, or at the step's
 * start on the rollout's first check, never more than MAX_LOOKBACK_SECONDS before now.
 */
export const readFrom = (
  state: CompareState,
  stepStartedAtSeconds: number,
  nowSeconds: number,
): number => Math.max(state.lastT ?? stepStartedAtSeconds, nowSeconds - MAX_LOOKBACK_SECONDS);

/**
 * A metric's verdict from its tests: one regression fails it; all non-inferior pass it;
 * otherwise inconclusive.
 */
export const combineTests = (
  verdicts: readonly CompareTestEvidence['verdict'][],
): 'pass' | 'fail' | 'inconclusive' => {
  if (verdicts.includes('regression')) return 'fail';
  if (verdicts.length > 0 && verdicts.every((v) => v === 'non-inferior')) return 'pass';
  return 'inconclusive';
};
