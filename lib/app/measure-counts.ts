import {
  bucketIncreaseQuery,
  type CountKind,
  countQuery,
  resultOf,
  type WorkloadRef,
} from '../domain/count-queries.ts';
import {
  bucketGrid,
  type CountsBucket,
  percentileBucketBound,
  sideCounts,
  valuesOnGrid,
} from '../domain/count-series.ts';
import { type MetricCounts, type RolloutSpec, workloadOf } from '../domain/rollout-spec.ts';
import { renderTemplate } from '../domain/template.ts';
import { MetricsQueryError } from '../ports/errors.ts';
import type {
  MetricsProvider,
  PeriodCount,
  QueryRange,
  Sample,
  Series,
} from '../ports/metrics-provider.ts';
import { QueryBatch } from './query-batch.ts';

/** The judge's bucket width: evaluate on 10-second buckets (issue 8 §3). */
export const BUCKET_SECONDS = 10;

/**
 * Epoch seconds rounded up to the bucket grid (multiples of BUCKET_SECONDS). The live judge
 * starts its buckets on this grid, so every rollout's range query of a tick steps through the
 * same times and one request answers them all (see QueryBatch). Rounded up, not down: a step's
 * first bucket never holds requests from before the step, served at the previous weights; the
 * step's first seconds, up to 10, go uncounted instead.
 */
export const alignedToBuckets = (seconds: number): number =>
  Math.ceil(seconds / BUCKET_SECONDS) * BUCKET_SECONDS;

const sides = (spec: RolloutSpec): { canary: WorkloadRef; primary: WorkloadRef } => ({
  canary: { namespace: spec.target.namespace, workload: workloadOf(spec.target.canary) },
  primary: { namespace: spec.target.namespace, workload: workloadOf(spec.target.primary) },
});

/**
 * 10-second buckets of counts for canary and primary over (from, to], for a built-in metric:
 * `errors` (5xx of all requests) or `{ slowerThanMs }` (requests above that bucket bound, which
 * must be an `le` the histogram has, e.g. from `primaryBucketBound`). Buckets end at
 * from + 10 s, from + 20 s, …; a last part shorter than 10 s is left for the next call, so pass
 * the last bucket's `t` as the next `from`.
 *
 * Why a range query of the cumulative counters, differenced here, rather than
 * `increase(x[10s])` per step: increase() needs two samples inside each 10 s window (with a
 * 15 s or 30 s scrape interval most windows have one or none) and extrapolates to the window's
 * edges, so its counts are neither whole nor additive across buckets. Differences of the
 * counter at consecutive steps are whole numbers that add up exactly to the counter's growth
 * over (from, to]: no request is counted twice or lost between buckets. A bucket in which no
 * scrape landed shows 0 and the next one holds its requests; the count test conditions on
 * events, so where the events land in time does not bias it.
 *
 * A workload with no series at a bucket's ends (no data) has 0 requests and 0 bad events
 * there, on that side only.
 */
export const countBuckets = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  metric: 'errors' | { slowerThanMs: number },
  range: { from: Date; to: Date },
): Promise<CountsBucket[]> => {
  const grid = bucketGrid(range.from.getTime() / 1000, range.to.getTime() / 1000, BUCKET_SECONDS);
  if (grid.length < 2) return [];
  const { canary, primary } = sides(spec);
  const targets = [canary, primary];
  const badKind: CountKind = metric === 'errors' ? 'errors' : { atOrBelowMs: metric.slowerThanMs };
  const window = {
    start: new Date((grid[0] as number) * 1000),
    end: new Date((grid.at(-1) as number) * 1000),
    stepSeconds: BUCKET_SECONDS,
  };
  const [requests, bad] = await Promise.all([
    seriesOf(metrics, 'requests', targets, window),
    seriesOf(metrics, badKind, targets, window),
  ]);
  const options = { badMissingIsZero: metric === 'errors', badIsComplement: metric !== 'errors' };
  const side = (i: number) =>
    sideCounts(
      valuesOnGrid(requests[i]?.points, grid),
      valuesOnGrid(bad[i]?.points, grid),
      options,
    );
  const canarySide = side(0);
  const primarySide = side(1);
  return grid.slice(1).map((t, i) => ({
    t,
    canary: canarySide[i] ?? { requests: 0, bad: 0 },
    primary: primarySide[i] ?? { requests: 0, bad: 0 },
  }));
};

/**
 * Buckets of a metric's own counts (`counts: { requests, bad }`) for canary and primary over
 * (from, to], each query rendered with `{{ target }}` the canary's workload, then the primary's.
 * - A provider that stores counts per period (CloudWatch's Sum) gives one bucket per whole,
 *   published period, ending at the period's end; a side without data in a period has 0 there.
 * - Otherwise (Prometheus) the queries are cumulative counters, differenced on the 10 s grid as
 *   the built-ins' are (see countBuckets); each must return one series: a query that returns
 *   one per pod is refused, since kanari could not tell which to count (wrap it in `sum`).
 * Bad events are clamped to [0, requests]: two queries read at slightly different moments
 * can disagree by a few events, and the judge needs bad ≤ requests.
 */
export const customCountBuckets = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  counts: MetricCounts,
  interval: string,
  range: { from: Date; to: Date },
): Promise<CountsBucket[]> => {
  const rendered = (template: string, side: 'canary' | 'primary') =>
    renderTemplate(template, {
      namespace: spec.target.namespace,
      target: workloadOf(spec.target[side]),
      interval,
    });
  const ask = (side: 'canary' | 'primary') => ({
    requests: rendered(counts.requests, side),
    bad: rendered(counts.bad, side),
  });
  const queries = { canary: ask('canary'), primary: ask('primary') };
  return metrics.queryCounts
    ? periodBuckets(metrics.queryCounts.bind(metrics), queries, range)
    : counterBuckets(metrics, queries, range);
};

type SideQueries = Record<'canary' | 'primary', MetricCounts>;

const periodBuckets = async (
  queryCounts: NonNullable<MetricsProvider['queryCounts']>,
  queries: SideQueries,
  range: { from: Date; to: Date },
): Promise<CountsBucket[]> => {
  const window = { start: range.from, end: range.to };
  const [canaryRequests, canaryBad, primaryRequests, primaryBad] = await Promise.all([
    queryCounts(queries.canary.requests, window),
    queryCounts(queries.canary.bad, window),
    queryCounts(queries.primary.requests, window),
    queryCounts(queries.primary.bad, window),
  ]);
  const byT = (counts: readonly PeriodCount[]) => new Map(counts.map((c) => [c.t, c.count]));
  const side = (requests: readonly PeriodCount[], bad: readonly PeriodCount[]) => {
    const total = byT(requests);
    const failed = byT(bad);
    return (t: number) => {
      const all = total.get(t) ?? 0;
      return { requests: all, bad: Math.min(all, failed.get(t) ?? 0) };
    };
  };
  const canary = side(canaryRequests, canaryBad);
  const primary = side(primaryRequests, primaryBad);
  const times = new Set(
    [canaryRequests, canaryBad, primaryRequests, primaryBad].flat().map((c) => c.t),
  );
  return [...times]
    .sort((a, b) => a - b)
    .map((t) => ({ t, canary: canary(t), primary: primary(t) }));
};

const counterBuckets = async (
  metrics: MetricsProvider,
  queries: SideQueries,
  range: { from: Date; to: Date },
): Promise<CountsBucket[]> => {
  const grid = bucketGrid(range.from.getTime() / 1000, range.to.getTime() / 1000, BUCKET_SECONDS);
  if (grid.length < 2) return [];
  const window = {
    start: new Date((grid[0] as number) * 1000),
    end: new Date((grid.at(-1) as number) * 1000),
    stepSeconds: BUCKET_SECONDS,
  };
  const counter = async (query: string) => {
    const series = await metrics.queryRange(query, window);
    if (series.length > 1)
      throw new MetricsQueryError(
        `count query ${query} returned ${series.length} series; it must return one (sum it)`,
      );
    return valuesOnGrid(series[0]?.points, grid);
  };
  const side = async ({ requests, bad }: MetricCounts) => {
    const [all, failed] = await Promise.all([counter(requests), counter(bad)]);
    return sideCounts(all, failed, { badMissingIsZero: true, badIsComplement: false });
  };
  const [canary, primary] = await Promise.all([side(queries.canary), side(queries.primary)]);
  return grid.slice(1).map((t, i) => ({
    t,
    canary: canary[i] ?? { requests: 0, bad: 0 },
    primary: primary[i] ?? { requests: 0, bad: 0 },
  }));
};

/**
 * Each target's series of a count: within a scheduler tick (a QueryBatch) from the query for
 * every workload, which the tick asks once for all its rollouts; otherwise (a backtest of one
 * rollout over hours) from a query of the targets alone.
 */
const seriesOf = async (
  metrics: MetricsProvider,
  kind: CountKind,
  targets: readonly WorkloadRef[],
  window: QueryRange,
): Promise<(Series | undefined)[]> => {
  if (metrics instanceof QueryBatch) {
    const query = countQuery(kind, 'all');
    return Promise.all(
      targets.map(async (target) => (await metrics.rangeOf(query, window, target))[0]),
    );
  }
  const series = await metrics.queryRange(countQuery(kind, targets), window);
  return targets.map((target) => resultOf(series, target));
};

/**
 * The primary's histogram bucket increases over the `seconds` before `end`. Its evaluation time
 * is the rollout's own step start, which no other rollout shares, so it asks for the primary
 * alone even within a tick (the grouped form would return every workload's histogram for one
 * rollout's use).
 */
export const primaryBuckets = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  window: { end: Date; seconds: number },
): Promise<Sample[]> => {
  const { primary } = sides(spec);
  const samples = await metrics.queryVector(
    bucketIncreaseQuery([primary], window.seconds),
    window.end,
  );
  return samples.filter((s) => s.labels.le !== undefined && resultOf([s], primary) !== undefined);
};

/**
 * The primary's p-th percentile bucket bound (ms, an existing `le`) over the `seconds` before
 * `end`: histogram_quantile over increase() of the buckets, rounded up to the bucket's `le`
 * (see `percentileBucketBound`), so that "slower than the bound" is exactly countable from the
 * histogram. null when the primary served no request in the window.
 */
export const primaryBucketBound = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  percentile: number,
  window: { end: Date; seconds: number },
): Promise<number | null> => {
  const buckets = (await primaryBuckets(metrics, spec, window)).flatMap((s) => {
    const le = Number(s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : s.labels.le);
    return s.value === null || Number.isNaN(le) ? [] : [{ le, count: s.value }];
  });
  return percentileBucketBound(buckets, percentile);
};
