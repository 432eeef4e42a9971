import { describe, expect, it } from 'vitest';
import {
  alignedToBuckets,
  countBuckets,
  primaryBucketBound,
} from '../../lib/app/measure-counts.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { Sample } from '../../lib/ports/metrics-provider.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { seedSpec } from '../support/fixtures.ts';

const T = 1_800_000_000;
const spec: RolloutSpec = seedSpec(); // namespace default; primary my-service, canary my-service-v2
const CANARY = 'my-service-v2';
const PRIMARY = 'my-service';
const row = (
  workload: string,
  value: number | null,
  extra: Record<string, string> = {},
): Sample => ({
  labels: { destination_workload_namespace: 'default', destination_workload: workload, ...extra },
  value,
});

/** Cumulative values at T, T+10, …; undefined = no point at that step. */
type Column = (number | undefined)[];
const counters =
  (tables: { requests: Record<string, Column>; bad: Record<string, Column> }) =>
  (query: string, t: number): Sample[] => {
    const table =
      query.includes('response_code') || query.includes('le=~') ? tables.bad : tables.requests;
    const i = (t - T) / 10;
    return Object.entries(table).flatMap(([workload, column]) => {
      const value = column[i];
      return value === undefined ? [] : [row(workload, value)];
    });
  };
const range = (seconds: number) => ({
  from: new Date(T * 1000),
  to: new Date((T + seconds) * 1000),
});
const side = (requests: number, bad: number) => ({ requests, bad });

describe('countBuckets', () => {
  it('differences consecutive points into 10 s buckets for each side', async () => {
    const metrics = new FakeMetricsProvider(
      {},
      counters({
        requests: { [CANARY]: [0, 10, 25, 45], [PRIMARY]: [100, 190, 290, 380] },
        bad: { [CANARY]: [0, 1, 1, 4], [PRIMARY]: [5, 6, 8, 8] },
      }),
    );
    expect(await countBuckets(metrics, spec, 'errors', range(30))).toEqual([
      { t: T + 10, canary: side(10, 1), primary: side(90, 1) },
      { t: T + 20, canary: side(15, 0), primary: side(100, 2) },
      { t: T + 30, canary: side(20, 3), primary: side(90, 0) },
    ]);
  });

  it('asks one range query per counter, from `from` to the last whole bucket, step 10 s', async () => {
    const asked: { query: string; start: number; end: number; step: number }[] = [];
    const metrics = new FakeMetricsProvider();
    const queryRange = metrics.queryRange.bind(metrics);
    metrics.queryRange = async (query, r) => {
      asked.push({ query, start: r.start.getTime(), end: r.end.getTime(), step: r.stepSeconds });
      return queryRange(query, r);
    };
    const buckets = await countBuckets(metrics, spec, 'errors', range(37));
    expect(buckets.map((b) => b.t)).toEqual([T + 10, T + 20, T + 30]);
    expect(asked).toHaveLength(2);
    for (const a of asked)
      expect([a.start, a.end, a.step]).toEqual([T * 1000, (T + 30) * 1000, 10]);
    expect(asked.map((a) => a.query).join('\n')).toContain(
      `destination_workload=~"${CANARY}|${PRIMARY}"`,
    );
  });

  it('counts a fall (a counter reset) as the new value', async () => {
    const metrics = new FakeMetricsProvider(
      {},
      counters({ requests: { [CANARY]: [50, 60, 4, 14] }, bad: { [CANARY]: [5, 6, 1, 1] } }),
    );
    const buckets = await countBuckets(metrics, spec, 'errors', range(30));
    expect(buckets.map((b) => b.canary)).toEqual([side(10, 1), side(4, 1), side(10, 0)]);
  });

  it('gives a bucket without a point at either end no data on that side only', async () => {
    const metrics = new FakeMetricsProvider(
      {},
      counters({
        requests: { [CANARY]: [0, undefined, 20, 30], [PRIMARY]: [0, 10, 20, 30] },
        bad: { [CANARY]: [0, 0, 0, 1], [PRIMARY]: [0, 0, 0, 0] },
      }),
    );
    const buckets = await countBuckets(metrics, spec, 'errors', range(30));
    expect(buckets.map((b) => b.canary)).toEqual([side(0, 0), side(0, 0), side(10, 1)]);
    expect(buckets.map((b) => b.primary)).toEqual([side(10, 0), side(10, 0), side(10, 0)]);
  });

  it('reads a missing 5xx series as no 5xx yet, and its first value as counted from 0', async () => {
    const metrics = new FakeMetricsProvider(
      {},
      counters({
        requests: { [CANARY]: [0, 10, 20] },
        bad: { [CANARY]: [undefined, undefined, 3] },
      }),
    );
    const buckets = await countBuckets(metrics, spec, 'errors', range(20));
    expect(buckets.map((b) => b.canary)).toEqual([side(10, 0), side(10, 3)]);
  });

  it('counts slow requests as requests − at or below the bound, within 0..requests', async () => {
    const metrics = new FakeMetricsProvider(
      {},
      counters({
        requests: { [CANARY]: [0, 10, 20, 30], [PRIMARY]: [0, 100, 200, 300] },
        // The canary's bucket reads ahead of its requests counter in the last bucket (scrape skew).
        bad: { [CANARY]: [0, 7, 17, 29], [PRIMARY]: [0, 99, 199, 299] },
      }),
    );
    const buckets = await countBuckets(metrics, spec, { slowerThanMs: 500 }, range(30));
    expect(buckets.map((b) => b.canary)).toEqual([side(10, 3), side(10, 0), side(10, 0)]);
    expect(buckets.map((b) => b.primary)).toEqual([side(100, 1), side(100, 0), side(100, 0)]);
    expect(metrics.queries.some((q) => q.includes('le=~"500|500\\\\.0"'))).toBe(true);
  });

  it('gives no data for slow counts where the bound bucket is missing', async () => {
    const metrics = new FakeMetricsProvider(
      {},
      counters({ requests: { [CANARY]: [0, 10] }, bad: {} }),
    );
    const buckets = await countBuckets(metrics, spec, { slowerThanMs: 300 }, range(10));
    expect(buckets.map((b) => b.canary)).toEqual([side(0, 0)]);
  });

  it('returns no bucket for a range shorter than 10 s, without asking', async () => {
    const metrics = new FakeMetricsProvider();
    expect(await countBuckets(metrics, spec, 'errors', range(9))).toEqual([]);
    expect(metrics.queries).toEqual([]);
  });

  it('passes a MetricsQueryError on', async () => {
    const metrics = new FakeMetricsProvider({}, () => new MetricsQueryError('down'));
    await expect(countBuckets(metrics, spec, 'errors', range(20))).rejects.toThrow(
      MetricsQueryError,
    );
  });
});

describe('primaryBucketBound', () => {
  const buckets = (workload: string, counts: [string, number | null][]) =>
    counts.map(([le, value]) => row(workload, value, { le }));
  const bound = (samples: Sample[], percentile = 99) => {
    const metrics = new FakeMetricsProvider({}, () => samples);
    return primaryBucketBound(metrics, spec, percentile, { end: new Date(T * 1000), seconds: 600 });
  };
  // 1000 requests: 600 ≤ 100, 950 ≤ 250, 990 ≤ 500, 999 ≤ 1000.
  const primary = buckets(PRIMARY, [
    ['100', 600],
    ['250', 950],
    ['500', 990],
    ['1000', 999],
    ['+Inf', 1000],
  ]);

  it('is the le of the first bucket holding rank p/100 · total', async () => {
    expect(await bound(primary, 50)).toBe(100);
    expect(await bound(primary, 60)).toBe(100); // rank 600 is exactly the 100 bucket's count
    expect(await bound(primary, 95)).toBe(250);
    expect(await bound(primary, 99)).toBe(500);
    expect(await bound(primary, 99.9)).toBe(1000);
  });

  it('ignores the canary and reads exponent-form le values', async () => {
    const samples = [
      ...buckets(CANARY, [
        ['100', 0],
        ['+Inf', 1000],
      ]),
      ...buckets(PRIMARY, [
        ['1e+06', 10],
        ['3.6e+06', 20],
        ['+Inf', 20],
      ]),
    ];
    expect(await bound(samples, 90)).toBe(3_600_000);
  });

  it('is the highest finite le when the rank falls in +Inf, as histogram_quantile answers', async () => {
    expect(
      await bound(
        buckets(PRIMARY, [
          ['100', 5],
          ['250', 8],
          ['+Inf', 10],
        ]),
        90,
      ),
    ).toBe(250);
  });

  it('makes the counts monotonic before looking', async () => {
    // increase() can dip: 990 then 989; the 1000 bucket still reaches rank 990.
    const dipping = buckets(PRIMARY, [
      ['250', 950],
      ['500', 989.5],
      ['1000', 989],
      ['+Inf', 1000],
    ]);
    expect(await bound(dipping, 99)).toBe(1000);
  });

  it('is null without requests, without a +Inf bucket, or without series', async () => {
    expect(
      await bound(
        buckets(PRIMARY, [
          ['100', 0],
          ['+Inf', 0],
        ]),
      ),
    ).toBeNull();
    expect(
      await bound(
        buckets(PRIMARY, [
          ['100', 5],
          ['250', 10],
        ]),
      ),
    ).toBeNull();
    expect(
      await bound(
        buckets(PRIMARY, [
          ['100', null],
          ['+Inf', null],
        ]),
      ),
    ).toBeNull();
    expect(await bound([])).toBeNull();
  });

  it('asks one instant query at the window end over the window', async () => {
    const metrics = new FakeMetricsProvider({}, (query, t) => {
      expect(t).toBe(T);
      expect(query).toContain('[600s]');
      return primary;
    });
    expect(
      await primaryBucketBound(metrics, spec, 99, { end: new Date(T * 1000), seconds: 600 }),
    ).toBe(500);
  });

  it('refuses a percentile outside (0, 100)', async () => {
    await expect(bound(primary, 100)).rejects.toThrow(/percentile/);
    await expect(bound(primary, 0)).rejects.toThrow(/percentile/);
  });
});

describe('alignedToBuckets', () => {
  it('rounds a step start up to the 10 s grid, so no bucket holds requests from before it', () => {
    expect(alignedToBuckets(1_000)).toBe(1_000);
    expect(alignedToBuckets(1_000.5)).toBe(1_010);
    expect(alignedToBuckets(1_007)).toBe(1_010);
    for (const start of [0, 3, 9.999, 10, 1_764_000_001.25])
      expect(alignedToBuckets(start)).toBeGreaterThanOrEqual(start);
  });
});
