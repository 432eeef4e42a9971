import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { durationMs, isDuration } from '../../domain/duration.ts';
import { MetricsQueryError } from '../../ports/errors.ts';
import type { MetricsProvider, PeriodCount, Series } from '../../ports/metrics-provider.ts';
import type { CloudWatchClient } from './alarm-tags.ts';

/** How far back a query without its own `window` looks: five minutes, as Flagger's. */
const DEFAULT_WINDOW_MS = 5 * 60_000;

/**
 * How long a count query waits before it counts a period: CloudWatch publishes a period's
 * datapoints up to a few minutes after the period ends (AWS's services every minute, with a
 * delay of one to three), and a period counted early would be counted short, never again.
 */
export const DEFAULT_COUNTS_DELAY = '3m';

interface ParsedQuery {
  queries: MetricDataQuery[];
  windowMs: number;
  delayMs: number;
}

const durationField = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isDuration(value))
    throw new MetricsQueryError(`CloudWatch query ${name} "${String(value)}" is not a duration`);
  return durationMs(value);
};

/**
 * A custom query for CloudWatch: the MetricDataQueries of GetMetricData as JSON (Flagger's
 * form), metric math included, or `{ "window": "{{ interval }}", "delay": "3m", "queries":
 * [ ... ] }` to say how far back an instant value looks (`window`) or how long a count waits
 * for a period's datapoints (`delay`). The value is the last query's that returns data.
 */
const parseQuery = (query: string): ParsedQuery => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch (error) {
    throw new MetricsQueryError(`CloudWatch query is not JSON: ${(error as Error).message}`);
  }
  const { queries, window, delay } = Array.isArray(parsed)
    ? { queries: parsed as unknown[], window: undefined, delay: undefined }
    : ((parsed ?? {}) as { queries?: unknown; window?: unknown; delay?: unknown });
  if (
    !Array.isArray(queries) ||
    queries.length === 0 ||
    !queries.every((q) => q && typeof q === 'object')
  )
    throw new MetricsQueryError(
      'CloudWatch query must be a non-empty array of MetricDataQueries, or { "window", "queries" }',
    );
  return {
    queries: queries as MetricDataQuery[],
    windowMs: durationField('window', window) ?? DEFAULT_WINDOW_MS,
    delayMs: durationField('delay', delay) ?? durationMs(DEFAULT_COUNTS_DELAY),
  };
};

/** The queries whose results are returned, in order: the last one is the query's value. */
const returned = (queries: readonly MetricDataQuery[]) =>
  queries.filter((q) => q.ReturnData !== false);

/**
 * The period (seconds) of a count query, which counting needs: its value query's own, or for an
 * expression without one the Period its metrics share (CloudWatch computes math per period).
 */
const periodOf = (queries: readonly MetricDataQuery[]): number => {
  const last = returned(queries).at(-1);
  const shared = new Set(queries.flatMap((q) => (q.MetricStat ? [q.MetricStat.Period] : [])));
  const period =
    last?.MetricStat?.Period ?? last?.Period ?? (shared.size === 1 ? [...shared][0] : undefined);
  if (!period || !Number.isInteger(period) || period <= 0)
    throw new MetricsQueryError(
      `CloudWatch count query "${String(last?.Id)}" needs a Period (its own, or one Period that all its MetricStats share): counts are per period`,
    );
  return period;
};

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * A MetricsProvider on CloudWatch's GetMetricData, for custom queries: an instant value (the
 * threshold judge), series over a range (Mann–Whitney) and counts per period (the compare
 * judge's `counts`). The built-ins are PromQL on Istio's
 * metrics and stay with Prometheus, so `queryVector` refuses. Failures are MetricsQueryError,
 * so a check holds rather than judges.
 */
export const createCloudWatchMetricsProvider = (options: {
  client: CloudWatchClient;
  now?: () => Date;
}): MetricsProvider => {
  const now = options.now ?? (() => new Date());
  const fetchAll = async (
    queries: MetricDataQuery[],
    start: Date,
    end: Date,
    scanBy: 'TimestampAscending' | 'TimestampDescending',
  ) => {
    const results = new Map<string, { label: string; points: { t: number; value: number }[] }>();
    let next: string | undefined;
    do {
      const page = await options.client
        .getMetricData({
          MetricDataQueries: queries,
          StartTime: seconds(start),
          EndTime: seconds(end),
          ScanBy: scanBy,
          ...(next ? { NextToken: next } : {}),
        })
        .catch((error: Error) => {
          throw new MetricsQueryError(`CloudWatch GetMetricData failed: ${error.message}`, {
            cause: error,
          });
        });
      for (const result of page.MetricDataResults ?? []) {
        const id = String(result.Id);
        const entry = results.get(id) ?? { label: String(result.Label ?? id), points: [] };
        const times = (result.Timestamps ?? []) as unknown as (number | string)[];
        (result.Values ?? []).forEach((value, i) => {
          const at = times[i];
          const t = typeof at === 'number' ? at : Date.parse(String(at)) / 1000;
          entry.points.push({ t, value });
        });
        results.set(id, entry);
      }
      next = page.NextToken;
    } while (next);
    return results;
  };

  return {
    async runQuery(query) {
      const { queries, windowMs } = parseQuery(query);
      const end = now();
      const results = await fetchAll(
        queries,
        new Date(end.getTime() - windowMs),
        end,
        'TimestampDescending',
      );
      // CloudWatch answers the queries that return data; the last of them is the value.
      const answered = returned(queries)
        .map((q) => results.get(String(q.Id)))
        .filter((r) => r !== undefined);
      const latest = answered.at(-1)?.points[0]?.value;
      return latest === undefined || !Number.isFinite(latest) ? null : latest;
    },
    async queryVector() {
      throw new MetricsQueryError(
        "CloudWatch answers custom queries only: the built-in metrics are read from the deployment's Prometheus",
      );
    },
    async queryRange(query, range) {
      const { queries } = parseQuery(query);
      const results = await fetchAll(queries, range.start, range.end, 'TimestampAscending');
      return [...results.entries()].map(
        ([id, { label, points }]): Series => ({
          labels: { id, label },
          points: points
            .sort((a, b) => a.t - b.t)
            .map(({ t, value }) => ({ t, value: Number.isFinite(value) ? value : null })),
        }),
      );
    },
    async queryCounts(query, range) {
      const { queries, delayMs } = parseQuery(query);
      const period = periodOf(queries);
      // Whole periods only, on the epoch grid CloudWatch aggregates on, and none that may still
      // be publishing.
      const first = Math.ceil(seconds(range.start) / period) * period;
      const last =
        Math.floor(Math.min(seconds(range.end), seconds(now()) - delayMs / 1000) / period) * period;
      if (last <= first) return [];
      const id = String(returned(queries).at(-1)?.Id);
      const results = await fetchAll(
        queries,
        new Date(first * 1000),
        new Date(last * 1000),
        'TimestampAscending',
      );
      const counts: PeriodCount[] = [];
      for (const { t, value } of results.get(id)?.points ?? []) {
        if (t < first || t + period > last) continue;
        if (!Number.isInteger(value) || value < 0)
          throw new MetricsQueryError(
            `CloudWatch count query "${id}" gave ${value} at ${new Date(t * 1000).toISOString()}: counts are whole numbers of events (Stat Sum)`,
          );
        counts.push({ t: t + period, count: value });
      }
      return counts.sort((a, b) => a.t - b.t);
    },
    async isOnline() {
      try {
        const end = now();
        await options.client.getMetricData({
          MetricDataQueries: [{ Id: 'online', Expression: 'TIME_SERIES(0)', Period: 60 }],
          StartTime: seconds(end) - 60,
          EndTime: seconds(end),
        });
        return true;
      } catch {
        return false;
      }
    },
  };
};
