/**
 * Turning cumulative counters into per-bucket counts, and histogram buckets into a latency
 * bound. Pure: the series come in as data (see lib/app/measure-counts.ts for the queries).
 */

/** Same shape as `CountSide` in judge-compare.ts (seam S1). */
export interface BucketSide {
  requests: number;
  bad: number;
}

/** Same shape as `CountBucket` in judge-compare.ts (seam S1): counts of one bucket, t its end. */
export interface CountsBucket {
  t: number;
  canary: BucketSide;
  primary: BucketSide;
}

export type Point = { t: number; value: number | null };

/** Bucket edges from `from` every `stepSeconds` up to `to` (epoch seconds); only whole buckets. */
export const bucketGrid = (from: number, to: number, stepSeconds: number): number[] => {
  const grid: number[] = [];
  for (let i = 0; from + i * stepSeconds <= to; i++) grid.push(from + i * stepSeconds);
  return grid;
};

/**
 * The counter's value at each grid time; undefined where the series had no point (or NaN).
 * Prometheus returns step times as start + i·step, which may print with float noise, so
 * times are matched to the millisecond.
 */
export const valuesOnGrid = (
  points: readonly Point[] | undefined,
  grid: readonly number[],
): (number | undefined)[] => {
  const byMs = new Map<number, number>();
  for (const p of points ?? []) if (p.value !== null) byMs.set(Math.round(p.t * 1000), p.value);
  return grid.map((t) => byMs.get(Math.round(t * 1000)));
};

/**
 * The increase of a cumulative counter over each bucket (grid[i−1], grid[i]]: the difference
 * of consecutive values, or the new value when it fell (a counter reset: it restarted from 0,
 * as Prometheus's increase() assumes). Undefined when either end has no value.
 * `bornFromZero[i]`: the series did not exist yet at grid[i−1] (see `sideCounts`), so its
 * first value counts from 0.
 */
export const increases = (
  values: readonly (number | undefined)[],
  bornFromZero: readonly boolean[] = [],
): (number | undefined)[] =>
  values.slice(1).map((current, i) => {
    const previous = values[i] ?? (bornFromZero[i] ? 0 : undefined);
    if (current === undefined || previous === undefined) return undefined;
    return current >= previous ? current - previous : current;
  });

/**
 * One side's counts per bucket from its requests counter and its bad-event counter.
 * - No requests value at either end of a bucket: no data for that side, counted as 0
 *   requests and 0 bad (the judge sees no traffic there, never invented traffic).
 * - The bad counter missing where the requests counter is present means it had not been
 *   created yet: Istio creates a series on its first event (the first 5xx), so it counts
 *   from 0. `badMissingIsZero` says whether missing at the bucket's end also means 0
 *   (true for 5xx; false for a duration bucket, which exists as soon as any request does, so
 *   missing means an `le` the histogram lacks: no data).
 * - `badIsComplement`: the bad counter counts the good events (at or below a latency bound)
 *   and bad = requests − good.
 * - Bad is kept within [0, requests] against scrape skew between the two counters.
 */
export const sideCounts = (
  requests: readonly (number | undefined)[],
  bad: readonly (number | undefined)[],
  options: { badMissingIsZero: boolean; badIsComplement: boolean },
): BucketSide[] => {
  const badValues = bad.map((value, i) =>
    value === undefined && options.badMissingIsZero && requests[i] !== undefined ? 0 : value,
  );
  const born = requests.slice(1).map((_, i) => requests[i] !== undefined);
  const requestIncreases = increases(requests);
  const badIncreases = increases(badValues, born);
  return requestIncreases.map((total, i) => {
    const counted = badIncreases[i];
    if (total === undefined || counted === undefined) return { requests: 0, bad: 0 };
    const raw = options.badIsComplement ? total - counted : counted;
    return { requests: total, bad: Math.min(total, Math.max(0, raw)) };
  });
};

/** A cumulative histogram bucket: requests with duration ≤ `le` (ms; Infinity for +Inf). */
export interface HistogramBucket {
  le: number;
  count: number;
}

/**
 * The upper bound of the bucket holding the p-th percentile: histogram_quantile(p/100)
 * rounded up to the next bucket bound, computed directly. histogram_quantile picks the first
 * bucket whose cumulative count reaches rank = p/100 · total and interpolates inside it, so its
 * answer rounded up is exactly that bucket's `le`; reading the bound from the buckets avoids
 * comparing an interpolated float against the bounds.
 * - Counts are made monotonic first, as Prometheus does (increase() of buckets scraped at
 *   slightly different times can dip).
 * - When the rank falls in the +Inf bucket, the highest finite bound (histogram_quantile's
 *   answer there): requests slower than it are still countable.
 * - null when there is no +Inf bucket or no request.
 */
export const percentileBucketBound = (
  buckets: readonly HistogramBucket[],
  percentile: number,
): number | null => {
  if (!(percentile > 0 && percentile < 100)) {
    throw new RangeError(`percentile must be between 0 and 100 exclusive, got ${percentile}`);
  }
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  let runningMax = 0;
  const monotonic = sorted.map((b) => {
    runningMax = Math.max(runningMax, b.count);
    return { le: b.le, count: runningMax };
  });
  const last = monotonic.at(-1);
  if (!last || last.le !== Number.POSITIVE_INFINITY || !(last.count > 0)) return null;
  const rank = (percentile / 100) * last.count;
  const index = monotonic.findIndex((b) => b.count >= rank);
  if (index < monotonic.length - 1) return (monotonic[index] as HistogramBucket).le;
  const finite = monotonic.at(-2);
  return finite ? finite.le : null;
};
