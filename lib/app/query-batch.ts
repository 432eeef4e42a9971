import { indexByWorkload, type WorkloadRef } from '../domain/count-queries.ts';
import type { MetricsProvider, QueryRange, Sample, Series } from '../ports/metrics-provider.ts';

/** Why a metric's queries went out for one rollout alone, not grouped with other rollouts. */
export const CUSTOM_QUERY_ALONE = 'custom query: cannot be grouped by workload';

type ByWorkload<T> = (target: WorkloadRef) => T[];

interface Answer<T> {
  rows: T[];
  byWorkload: ByWorkload<T>;
}

/** A range request of one coalescing key: sent, or waiting for the end of the macrotask. */
interface RangeRequest {
  startMs: number;
  answer: Promise<Answer<Series>>;
  send?: () => void;
}

const index = <T extends { labels: Record<string, string> }>(rows: T[]): Answer<T> => ({
  rows,
  byWorkload: indexByWorkload(rows),
});

/** A series with only the points at or after `startMs`; undefined when none is left. */
const from = (series: Series, startMs: number): Series | undefined => {
  const points = series.points.filter((p) => Math.round(p.t * 1000) >= startMs);
  return points.length > 0 ? { labels: series.labels, points } : undefined;
};

/**
 * One scheduler tick's view of one metrics backend: identical requests share one.
 * - `runQuery` and `queryVector`: one request per (query, evaluation time); later callers get
 *   the same answer (or the same error).
 * - `queryRange`: requests with the same query, step and end, whose starts lie on the same
 *   step grid, share one request over the union of their ranges (the earliest start); each
 *   caller gets only its own points (t ≥ its start), as if it had asked alone. Requests made in
 *   one macrotask are collected before the first goes out; a later one reuses a request
 *   already sent whose start is at or before its own, else it asks again.
 * - `vectorOf` / `rangeOf`: one workload's rows, from an index built once per response.
 * A failed request fails every caller that shared it. Make one per provider per tick: the
 * answers are kept for the batch's lifetime.
 */
export class QueryBatch implements MetricsProvider {
  /** Requests sent to the backend. */
  queries = 0;
  private readonly instant = new Map<string, Promise<Answer<Sample>>>();
  private readonly scalars = new Map<string, Promise<number | null>>();
  private readonly ranges = new Map<string, RangeRequest[]>();
  private flushing = false;

  constructor(private readonly provider: MetricsProvider) {}

  runQuery(query: string): Promise<number | null> {
    let answer = this.scalars.get(query);
    if (!answer) {
      this.queries++;
      answer = this.provider.runQuery(query);
      this.scalars.set(query, answer);
    }
    return answer;
  }

  async queryVector(query: string, at?: Date): Promise<Sample[]> {
    return (await this.vector(query, at)).rows;
  }

  async queryRange(query: string, range: QueryRange): Promise<Series[]> {
    const startMs = range.start.getTime();
    const { rows } = await this.range(query, range);
    return rows.flatMap((s) => from(s, startMs) ?? []);
  }

  isOnline(): Promise<boolean> {
    return this.provider.isOnline();
  }

  /** The rows of one workload in an instant query's answer. */
  async vectorOf(query: string, at: Date, target: WorkloadRef): Promise<Sample[]> {
    return (await this.vector(query, at)).byWorkload(target);
  }

  /** The series of one workload in a range query's answer, with only its own points. */
  async rangeOf(query: string, range: QueryRange, target: WorkloadRef): Promise<Series[]> {
    const startMs = range.start.getTime();
    return (await this.range(query, range))
      .byWorkload(target)
      .flatMap((s) => from(s, startMs) ?? []);
  }

  private vector(query: string, at: Date | undefined): Promise<Answer<Sample>> {
    const key = `${at?.getTime() ?? 'now'}\n${query}`;
    let answer = this.instant.get(key);
    if (!answer) {
      this.queries++;
      answer = this.provider.queryVector(query, at).then(index);
      this.instant.set(key, answer);
    }
    return answer;
  }

  private range(query: string, range: QueryRange): Promise<Answer<Series>> {
    const startMs = range.start.getTime();
    const stepMs = range.stepSeconds * 1000;
    const phase = ((startMs % stepMs) + stepMs) % stepMs;
    const key = `${range.stepSeconds}\n${range.end.getTime()}\n${phase}\n${query}`;
    const requests = this.ranges.get(key) ?? [];
    this.ranges.set(key, requests);
    const covering = requests.find((r) => r.startMs <= startMs);
    if (covering) return covering.answer;
    const waiting = requests.find((r) => r.send !== undefined);
    if (waiting) {
      waiting.startMs = startMs;
      return waiting.answer;
    }
    let settle: ((answer: Promise<Answer<Series>>) => void) | undefined;
    const request: RangeRequest = {
      startMs,
      answer: new Promise((resolve) => {
        settle = resolve;
      }),
    };
    request.send = () => {
      request.send = undefined;
      this.queries++;
      const union = { ...range, start: new Date(request.startMs) };
      settle?.(this.provider.queryRange(query, union).then(index));
    };
    requests.push(request);
    this.scheduleFlush();
    return request.answer;
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    setTimeout(() => {
      this.flushing = false;
      for (const requests of this.ranges.values()) for (const r of requests) r.send?.();
    }, 0);
  }
}

/** The batch itself, or a new one around a plain provider (one call's worth of sharing). */
export const batchOf = (metrics: MetricsProvider): QueryBatch =>
  metrics instanceof QueryBatch ? metrics : new QueryBatch(metrics);
