import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import {
  countBuckets,
  customCountBuckets,
  primaryBucketBound,
} from '../../lib/app/measure-counts.ts';
import { QueryBatch } from '../../lib/app/query-batch.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import {
  findBinary,
  PrometheusMissingError,
  type RunningPrometheus,
  startPrometheus,
} from '../../sandbox/prometheus.ts';
import { fixtureOpenMetrics, fixtureT0 } from '../support/count-fixture.ts';
import { seedSpec } from '../support/fixtures.ts';
import { metricsProviderContract } from '../support/metrics-provider-contract.ts';

/**
 * Counts from a real Prometheus holding known counters (test/support/count-fixture.ts),
 * backfilled with promtool, so every bucket count is exact and worked out by hand.
 */
const T0 = fixtureT0();
let workDir: string;
let prometheus: RunningPrometheus;
let metrics: MetricsProvider;

beforeAll(async () => {
  const promtool = findBinary('promtool');
  if (!promtool) throw new PrometheusMissingError('promtool');
  workDir = await mkdtemp(join(tmpdir(), 'kanari-counts-'));
  const input = join(workDir, 'fixture.om');
  await writeFile(input, fixtureOpenMetrics(T0));
  await promisify(execFile)(promtool, [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    input,
    join(workDir, 'blocks'),
  ]);
  prometheus = await startPrometheus({ scrapeTargets: [], blocksDir: join(workDir, 'blocks') });
  metrics = createPrometheusMetricsProvider({ url: prometheus.url });
});

afterAll(async () => {
  await prometheus?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const spec = (canary: string): RolloutSpec => {
  const base = seedSpec();
  return {
    ...base,
    target: {
      ...base.target,
      namespace: 'shop',
      primary: { host: 'web-primary' },
      canary: { host: canary },
    },
  };
};
const side = (requests: number, bad: number) => ({ requests, bad });
const none = side(0, 0);
const ends = [10, 20, 30, 40, 50, 60].map((s) => T0 + s);
const range = { from: new Date(T0 * 1000), to: new Date((T0 + 60) * 1000) };

describe('countBuckets against a real Prometheus with backfilled counters', () => {
  it('counts 5xx and requests per 10 s for both sides, a canary restart as its new value', async () => {
    // Primary per 10 s: 2 × (10 + 1 + 20) requests, 2 × 1 errors. Canary: 2 × 6 and 2 × 1; its
    // counters restart before T0 + 40, whose sample holds one 5 s interval: 6 and 1.
    const canary = [side(12, 2), side(12, 2), side(12, 2), side(6, 1), side(12, 2), side(12, 2)];
    expect(await countBuckets(metrics, spec('web-canary'), 'errors', range)).toEqual(
      ends.map((t, i) => ({ t, canary: canary[i], primary: side(62, 2) })),
    );
  });

  it('counts requests slower than a bound as total − at-or-below that le', async () => {
    // At ≤ 250 ms per 5 s: primary 9 + 18 of 31, canary 3 of 6.
    const canary = [side(12, 6), side(12, 6), side(12, 6), side(6, 3), side(12, 6), side(12, 6)];
    expect(await countBuckets(metrics, spec('web-canary'), { slowerThanMs: 250 }, range)).toEqual(
      ends.map((t, i) => ({ t, canary: canary[i], primary: side(62, 8) })),
    );
  });

  it('matches an le the exporter wrote in exponent form (3.6e+06)', async () => {
    const buckets = await countBuckets(
      metrics,
      spec('web-canary'),
      { slowerThanMs: 3_600_000 },
      range,
    );
    expect(buckets.map((b) => b.primary)).toEqual(ends.map(() => side(62, 0)));
  });

  it('gives no data, for that side only, where a workload has no series', async () => {
    expect(await countBuckets(metrics, spec('ghost'), 'errors', range)).toEqual(
      ends.map((t) => ({ t, canary: none, primary: side(62, 2) })),
    );
  });

  it('starts counting a workload once it has a value at both ends, and a new 5xx series from 0', async () => {
    // late: first sample at T0 + 25 (4), +4 per 5 s; 5xx from T0 + 45 (1), +1 per 5 s.
    const late = [none, none, none, side(8, 0), side(10, 2), side(10, 2)];
    const buckets = await countBuckets(metrics, spec('late'), 'errors', range);
    expect(buckets.map((b) => b.canary)).toEqual(late);
  });

  it('gives no data for a slow count at an le the histogram lacks', async () => {
    const buckets = await countBuckets(metrics, spec('web-canary'), { slowerThanMs: 300 }, range);
    expect(buckets.map((b) => b.primary)).toEqual(ends.map(() => none));
  });
});

describe("a metric's own counts on Prometheus: cumulative counters, differenced", () => {
  // The built-in 5xx test written as a user would, one counter per query: it must count
  // exactly what the built-in counts, restarts and late series included.
  const selector =
    'reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}"';
  const counts = {
    requests: `sum(istio_requests_total{${selector}})`,
    bad: `sum(istio_requests_total{${selector}, response_code=~"5.."})`,
  };

  it('counts what the built-in counts, for both sides', async () => {
    for (const workload of ['web-canary', 'late', 'ghost']) {
      const rollout = spec(workload);
      expect(await customCountBuckets(metrics, rollout, counts, '1m', range), workload).toEqual(
        await countBuckets(metrics, rollout, 'errors', range),
      );
    }
  });

  it('refuses a query that returns a series per pod, since it cannot tell which to count', async () => {
    const perSeries = { ...counts, requests: counts.requests.replace(/^sum\((.*)\)$/, '$1') };
    const error = await customCountBuckets(
      metrics,
      spec('web-canary'),
      perSeries,
      '1m',
      range,
    ).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect(error.message).toMatch(/returned \d+ series; it must return one \(sum it\)$/);
  });
});

describe('countBuckets within a tick: the grouped queries for every workload', () => {
  it('counts exactly what the per-rollout queries count, each rollout its own rows', async () => {
    const batch = new QueryBatch(metrics);
    const rollouts = ['web-canary', 'late', 'ghost'].map(spec);
    const [grouped, alone] = await Promise.all([
      Promise.all(
        rollouts.flatMap((s) => [
          countBuckets(batch, s, 'errors', range),
          countBuckets(batch, s, { slowerThanMs: 250 }, range),
        ]),
      ),
      Promise.all(
        rollouts.flatMap((s) => [
          countBuckets(metrics, s, 'errors', range),
          countBuckets(metrics, s, { slowerThanMs: 250 }, range),
        ]),
      ),
    ]);
    expect(grouped).toEqual(alone);
    expect(grouped[0]?.map((b) => b.t)).toEqual(ends);
    // requests, 5xx, at or below 250 ms: once each for the three rollouts.
    expect(batch.queries).toBe(3);
  });
});

describe('primaryBucketBound against a real Prometheus with backfilled histograms', () => {
  const window = { end: new Date((T0 + 60) * 1000), seconds: 60 };
  // Primary cumulative per 5 s: 15, 27, 30, 31, 31, 31 of 31 at le 100, 250, 500, 1000, …
  it.each([
    [50, 250],
    [90, 500],
    [99, 1000],
  ])('puts the p%d bound at the le %d', async (percentile, le) => {
    expect(await primaryBucketBound(metrics, spec('web-canary'), percentile, window)).toBe(le);
  });

  it("agrees with Prometheus's histogram_quantile rounded up to the next le", async () => {
    const q = `histogram_quantile(0.99, sum by (le) (increase(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="shop",destination_workload="web-primary"}[60s])))`;
    const [sample] = await metrics.queryVector(q, window.end);
    const quantile = sample?.value as number;
    expect(quantile).toBeGreaterThan(500);
    const bound = await primaryBucketBound(metrics, spec('web-canary'), 99, window);
    expect(bound).toBe([100, 250, 500, 1000, 3_600_000].find((le) => le >= quantile));
  });

  it('is null when the primary served nothing in the window', async () => {
    const before = { end: new Date((T0 - 600) * 1000), seconds: 60 };
    expect(await primaryBucketBound(metrics, spec('web-canary'), 99, before)).toBeNull();
  });
});

metricsProviderContract('Prometheus adapter against a real Prometheus', () => metrics);
