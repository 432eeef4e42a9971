import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { durationMs, isDuration } from '../../domain/duration.ts';
import { MetricsQueryError } from '../../ports/errors.ts';
import type { MetricsProvider, Series } from '../../ports/metrics-provider.ts';
import type { CloudWatchClient } from './alarm-tags.ts';

/** How far back a query without its own `window` looks: five minutes, as Flagger's. */
const DEFAULT_WINDOW_MS = 5 * 60_000;

/**
 * A custom query for CloudWatch: the MetricDataQueries of GetMetricData as JSON (Flagger's
 * form), metric math included, or `{ "window": "{{ interval }}", "queries": [ ... ] }` to say
 * how far back an instant value looks. The value is the last query's that returns data.
 */
const parseQuery = (query: string): { queries: MetricDataQuery[]; windowMs: number } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch (error) {
    throw new MetricsQueryError(`CloudWatch query is not JSON: ${(error as Error).message}`);
  }
  const { queries, window } = Array.isArray(parsed)
    ? { queries: parsed as unknown[], window: undefined }
    : ((parsed ?? {}) as { queries?: unknown; window?: unknown });
  if (
    !Array.isArray(queries) ||
    queries.length === 0 ||
    !queries.every((q) => q && typeof q === 'object')
  )
    throw new MetricsQueryError(
      'CloudWatch query must be a non-empty array of MetricDataQueries, or { "window", "queries" }',
    );
  if (window !== undefined && (typeof window !== 'string' || !isDuration(window)))
    throw new MetricsQueryError(`CloudWatch query window "${String(window)}" is not a duration`);
  return {
    queries: queries as MetricDataQuery[],
    windowMs: window === undefined ? DEFAULT_WINDOW_MS : durationMs(window),
  };
};

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * A MetricsProvider on CloudWatch's GetMetricData, for custom queries: an instant value (the
 * threshold judge) and series over a range (Mann–Whitney). The built-ins are PromQL on Istio's
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
      const answered = queries
        .filter((q) => q.ReturnData !== false)
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
