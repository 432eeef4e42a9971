/** One series' value at one instant; null when the backend says NaN or ±Inf. */
export interface Sample {
  labels: Record<string, string>;
  value: number | null;
}

/**
 * One series over a range: a point per step at which the series had a value (a step where it
 * had none is absent, not null). `t` is epoch seconds; points are in ascending `t`.
 */
export interface Series {
  labels: Record<string, string>;
  points: { t: number; value: number | null }[];
}

/** The events of one period: `t` its end, epoch seconds; `count` a whole number. */
export interface PeriodCount {
  t: number;
  count: number;
}

/** A range query's grid: steps at `start`, `start + step`, … up to and including `end`. */
export interface QueryRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/**
 * Answers metric queries. Each backend (Prometheus, Amazon Managed Prometheus, CloudWatch) has
 * one adapter.
 *
 * Errors: `MetricsQueryError` when the backend cannot answer.
 */
export interface MetricsProvider {
  /** The query's single value, or null for no data (an empty result or NaN). */
  runQuery(query: string): Promise<number | null>;
  /**
   * Every series of an instant query, evaluated at `at` (default: now). A scalar result is one
   * sample with no labels; an empty result is `[]`.
   */
  queryVector(query: string, at?: Date): Promise<Sample[]>;
  /**
   * A range query: the instant query evaluated at each step of the grid, grouped by series.
   */
  queryRange(query: string, range: QueryRange): Promise<Series[]>;
  /**
   * Events per period of a count query, for a backend that stores counts per period
   * (CloudWatch's `Sum`): one entry per period that lies wholly within [start, end] and that
   * the backend has finished publishing; `t` is the period's end (epoch seconds), ascending. A
   * period without data is absent. A backend without it (Prometheus) holds cumulative counters,
   * which kanari reads with `queryRange` and differences itself (lib/app/measure-counts.ts).
   */
  queryCounts?(query: string, range: { start: Date; end: Date }): Promise<PeriodCount[]>;
  /** True when the backend answers at all. */
  isOnline(): Promise<boolean>;
}
