/**
 * `kanari judge backtest`: what a rollout spec's compare judge would have decided on the
 * metrics Prometheus recorded between two times (issue 8 §8). The counts come from the same
 * countBuckets as a live rollout's, the decisions from the same replay as `kanari judge replay`.
 */
import { DEFAULT_COMPARE } from '../domain/compare-defaults.ts';
import {
  DEFAULT_REPLAY_SPEC,
  type ReplayBucket,
  type ReplayMetric,
  type ReplayResult,
  type ReplaySpec,
  replay,
} from '../domain/judge-replay.ts';
import {
  alphaOf,
  DEFAULT_LATENCY_BOUNDS,
  isBuiltin,
  judgeOf,
  judgeSpecOf,
  type MetricSpec,
  type RolloutSpec,
} from '../domain/rollout-spec.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';
import { countBuckets, primaryBucketBound } from './measure-counts.ts';

/** The spec or the range gives the backtest nothing to judge. */
export class BacktestError extends Error {
  override name = 'BacktestError';
}

/** How far before `from` the primary's percentile bucket bound is read (the "window before the step"). */
export const BOUND_WINDOW_SECONDS = 300;

export interface BacktestResult extends ReplayResult {
  spec: ReplaySpec;
  /** The bound (ms) above which a request counted as slow; null without request-duration. */
  slowerThanMs: number | null;
}

const compared = (spec: RolloutSpec, name: string): MetricSpec | undefined =>
  spec.analysis.metrics.find((m) => m.name === name && isBuiltin(m) && judgeOf(m) === 'compare');

/** The compare options the metrics set: the first metric that sets one wins. */
const optionOf = (metrics: MetricSpec[], key: 'tolerance' | 'k'): number | undefined => {
  for (const metric of metrics) {
    const judge = judgeSpecOf(metric);
    if (judge.type === 'compare' && judge[key] !== undefined) return judge[key];
  }
  return undefined;
};

/**
 * The slow bound: a fixed `ms`, or the primary's percentile bucket over the 5 minutes before
 * `from` (over the range itself when the primary served nothing then). Only the first bound
 * is replayed: a replay bucket carries one slow count.
 */
const slowBound = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  metric: MetricSpec,
  range: { from: Date; to: Date },
): Promise<number> => {
  const judge = judgeSpecOf(metric);
  const bound = (judge.type === 'compare' ? judge.bounds?.[0] : undefined) ??
    DEFAULT_LATENCY_BOUNDS[0] ?? { percentile: 99 };
  if ('ms' in bound) return bound.ms;
  const before = await primaryBucketBound(metrics, spec, bound.percentile, {
    end: range.from,
    seconds: BOUND_WINDOW_SECONDS,
  });
  const seconds = Math.round((range.to.getTime() - range.from.getTime()) / 1000);
  const during =
    before ??
    (await primaryBucketBound(metrics, spec, bound.percentile, { end: range.to, seconds }));
  if (during === null)
    throw new BacktestError(
      `request-duration: the primary served no request before or during the range, so its p${bound.percentile} bucket is unknown`,
    );
  return during;
};

/**
 * Reads 10-second counts of the spec's built-in compare metrics for canary and primary over
 * (from, to] and replays them through the compare judge with the spec's α, tolerance and k
 * (the other settings are DEFAULT_COMPARE's). No step plan is assumed.
 *
 * @throws BacktestError when from ≥ to, the range holds no whole bucket, or no built-in metric
 *   is judged by compare; MetricsQueryError when Prometheus does not answer.
 */
export const backtest = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  range: { from: Date; to: Date },
): Promise<BacktestResult> => {
  if (!(range.from.getTime() < range.to.getTime()))
    throw new BacktestError('--from: must be before --to');
  const errors = compared(spec, 'request-success-rate');
  const duration = compared(spec, 'request-duration');
  if (!errors && !duration)
    throw new BacktestError(
      'spec: no built-in metric (request-success-rate, request-duration) is judged by compare',
    );
  const slowerThanMs = duration ? await slowBound(metrics, spec, duration, range) : null;
  const [errorBuckets, slowBuckets] = await Promise.all([
    errors ? countBuckets(metrics, spec, 'errors', range) : null,
    slowerThanMs !== null ? countBuckets(metrics, spec, { slowerThanMs }, range) : null,
  ]);
  const base = errorBuckets ?? slowBuckets ?? [];
  if (base.length === 0)
    throw new BacktestError('--to: the range must hold at least one 10-second bucket');
  const buckets: ReplayBucket[] = base.map((b, i) => {
    const slow = slowBuckets?.[i];
    const error = errorBuckets?.[i];
    return {
      t: b.t,
      canary: {
        requests: b.canary.requests,
        errors: error?.canary.bad ?? 0,
        slow: slow?.canary.bad ?? 0,
      },
      primary: {
        requests: b.primary.requests,
        errors: error?.primary.bad ?? 0,
        slow: slow?.primary.bad ?? 0,
      },
    };
  });
  const used = [errors, duration].filter((m): m is MetricSpec => m !== undefined);
  const replayMetrics: ReplayMetric[] = [];
  if (errors) replayMetrics.push('errors');
  if (duration) replayMetrics.push('slow');
  const replaySpec: ReplaySpec = {
    ...DEFAULT_REPLAY_SPEC,
    alpha: alphaOf(spec.analysis),
    tolerance: optionOf(used, 'tolerance') ?? DEFAULT_COMPARE.tolerance,
    k: optionOf(used, 'k') ?? DEFAULT_COMPARE.k,
    metrics: replayMetrics,
  };
  return { ...replay(replaySpec, buckets), spec: replaySpec, slowerThanMs };
};
