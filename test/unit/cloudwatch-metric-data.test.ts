import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { createCloudWatchMetricsProvider } from '../../lib/adapters/cloudwatch/metric-data.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import { startAwsStandIn, TEST_CREDENTIALS } from '../support/sigv4-check.ts';

// GetMetricData against a local stand-in for CloudWatch that refuses a request signed other
// than as SigV4 specifies, and answers with what the test scripts.

let standIn: Awaited<ReturnType<typeof startAwsStandIn>>;
beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(() => standIn.close());

/** The body of the i-th request the stand-in took. */
const bodyOf = (i: number) => (standIn.seen[i]?.body ?? {}) as Record<string, unknown>;

const NOW = new Date('2030-01-01T12:00:00Z');
const T = NOW.getTime() / 1000;
const provider = () =>
  createCloudWatchMetricsProvider({
    client: cloudWatchClient({
      region: 'eu-west-1',
      endpoint: standIn.url,
      credentials: TEST_CREDENTIALS,
      retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 },
    }),
    now: () => NOW,
  });

/** A 5xx rate with metric math, as a spec's `query` holds it (after its template is filled). */
const ERROR_RATE = [
  {
    Id: 'errors',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/my-service-v2/abc' }],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: false,
  },
  {
    Id: 'requests',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/my-service-v2/abc' }],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: false,
  },
  { Id: 'rate', Expression: '100 * errors / requests', ReturnData: true },
];

describe('CloudWatch GetMetricData as a metrics provider', () => {
  it('asks for the queries, metric math included, over the window, and takes the latest value', async () => {
    standIn.reset([
      {
        status: 200,
        body: {
          MetricDataResults: [
            {
              Id: 'rate',
              Label: 'rate',
              Timestamps: [T - 60, T - 120],
              Values: [2.5, 1.25],
              StatusCode: 'Complete',
            },
          ],
        },
      },
    ]);
    expect(await provider().runQuery(JSON.stringify({ window: '2m', queries: ERROR_RATE }))).toBe(
      2.5,
    );
    expect(standIn.seen).toEqual([
      {
        target: 'GraniteServiceVersion20100801.GetMetricData',
        contentType: 'application/x-amz-json-1.0',
        scope: 'eu-west-1/monitoring/aws4_request',
        signedHeaders:
          'content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target',
        body: {
          MetricDataQueries: ERROR_RATE,
          StartTime: T - 120,
          EndTime: T,
          ScanBy: 'TimestampDescending',
        },
      },
    ]);
  });

  it("takes Flagger's form, an array of queries, over five minutes; no datapoint is no data", async () => {
    standIn.reset([
      { status: 200, body: { MetricDataResults: [{ Id: 'rate', Timestamps: [], Values: [] }] } },
    ]);
    expect(await provider().runQuery(JSON.stringify(ERROR_RATE))).toBeNull();
    expect(bodyOf(0).StartTime).toBe(T - 300);
  });

  it('gives each returned query as a series over a range, across pages, oldest first', async () => {
    standIn.reset([
      {
        status: 200,
        body: {
          MetricDataResults: [{ Id: 'rate', Label: 'rate', Timestamps: [T - 60], Values: [3] }],
          NextToken: 'page-2',
        },
      },
      {
        status: 200,
        body: {
          MetricDataResults: [{ Id: 'rate', Label: 'rate', Timestamps: [T - 120], Values: [4] }],
        },
      },
    ]);
    const series = await provider().queryRange(JSON.stringify(ERROR_RATE), {
      start: new Date(NOW.getTime() - 600_000),
      end: NOW,
      stepSeconds: 60,
    });
    expect(series).toEqual([
      {
        labels: { id: 'rate', label: 'rate' },
        points: [
          { t: T - 120, value: 4 },
          { t: T - 60, value: 3 },
        ],
      },
    ]);
    expect(
      standIn.seen.map((_, i) => [bodyOf(i).ScanBy, bodyOf(i).NextToken, bodyOf(i).StartTime]),
    ).toEqual([
      ['TimestampAscending', undefined, T - 600],
      ['TimestampAscending', 'page-2', T - 600],
    ]);
  });

  it('names what is wrong: a query that is not MetricDataQueries, a refusal, a built-in', async () => {
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.fail('expected a failure'),
        (error: unknown) => error as Error,
      );
    for (const [query, message] of [
      ['sum(rate(x[1m]))', /^CloudWatch query is not JSON/],
      ['[]', /non-empty array of MetricDataQueries/],
      [JSON.stringify({ window: 'soon', queries: ERROR_RATE }), /window "soon" is not a duration/],
    ] as const) {
      const error = await failure(provider().runQuery(query));
      expect(error).toBeInstanceOf(MetricsQueryError);
      expect(error.message).toMatch(message);
    }
    standIn.reset([
      {
        status: 400,
        body: { __type: 'InvalidParameterCombination', message: 'Period must be 60' },
      },
    ]);
    const refused = await failure(provider().runQuery(JSON.stringify(ERROR_RATE)));
    expect(refused).toBeInstanceOf(MetricsQueryError);
    expect(refused.message).toBe('CloudWatch GetMetricData failed: Period must be 60');
    expect((await failure(provider().queryVector('up'))).message).toMatch(/custom queries only/);
  });

  it('counts whole periods on the epoch grid, none that may still be publishing', async () => {
    // NOW is 12:00:00; from 11:40:30 to 11:59:10 with the default delay of 3m, the periods
    // counted are 11:41 … 11:56 (the last ends at 11:57, three minutes before now).
    standIn.reset([
      {
        status: 200,
        body: {
          MetricDataResults: [
            { Id: 'rate', Timestamps: [T - 1140, T - 1080, T - 300], Values: [12, 0, 7] },
          ],
        },
      },
    ]);
    const counts = await provider().queryCounts?.(JSON.stringify(ERROR_RATE), {
      start: new Date((T - 1170) * 1000),
      end: new Date((T - 50) * 1000),
    });
    expect(bodyOf(0)).toMatchObject({
      StartTime: T - 1140,
      EndTime: T - 180,
      ScanBy: 'TimestampAscending',
    });
    // Stamped with each period's end, as the judge's buckets are.
    expect(counts).toEqual([
      { t: T - 1080, count: 12 },
      { t: T - 1020, count: 0 },
      { t: T - 240, count: 7 },
    ]);
  });

  it("takes a count query's own delay, and asks nothing when no whole period is ready", async () => {
    standIn.reset([{ status: 200, body: { MetricDataResults: [] } }]);
    const query = (delay: string) => JSON.stringify({ delay, queries: ERROR_RATE });
    await provider().queryCounts?.(query('0s'), { start: new Date((T - 600) * 1000), end: NOW });
    expect(bodyOf(0)).toMatchObject({ StartTime: T - 600, EndTime: T });
    standIn.reset();
    expect(
      await provider().queryCounts?.(query('5m'), {
        start: new Date((T - 330) * 1000),
        end: NOW,
      }),
    ).toEqual([]);
    expect(standIn.seen).toEqual([]);
  });

  it('refuses counts that are not whole numbers, and a count query without a Period', async () => {
    const failure = (promise: Promise<unknown> | undefined) =>
      (promise ?? Promise.resolve()).then(
        () => expect.fail('expected a failure'),
        (error: unknown) => error as Error,
      );
    const range = { start: new Date((T - 600) * 1000), end: NOW };
    standIn.reset([
      {
        status: 200,
        body: { MetricDataResults: [{ Id: 'rate', Timestamps: [T - 600], Values: [2.5] }] },
      },
    ]);
    const average = await failure(provider().queryCounts?.(JSON.stringify(ERROR_RATE), range));
    expect(average).toBeInstanceOf(MetricsQueryError);
    expect(average.message).toMatch(
      /gave 2.5 at .*: counts are whole numbers of events \(Stat Sum\)$/,
    );
    const noPeriod = await failure(
      provider().queryCounts?.(JSON.stringify([{ Id: 'x', Expression: 'a + b' }]), range),
    );
    expect(noPeriod.message).toMatch(/count query "x" needs a Period/);
  });
});
