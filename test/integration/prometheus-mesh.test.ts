import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import { measureCheck } from '../../lib/app/measure.ts';
import { countBuckets, primaryBucketBound } from '../../lib/app/measure-counts.ts';
import { QueryBatch } from '../../lib/app/query-batch.ts';
import { BUILTIN_METRICS, SAMPLE_SIZE_QUERY } from '../../lib/domain/builtin-metrics.ts';
import { renderTemplate } from '../../lib/domain/template.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import { type MeshSimulator, startMeshSimulator } from '../../sandbox/mesh-simulator.ts';
import {
  PrometheusMissingError,
  type RunningPrometheus,
  startPrometheus,
} from '../../sandbox/prometheus.ts';
import { seedSpec } from '../support/fixtures.ts';

const NAMESPACE = 'shop';
const PRIMARY = 'my-service';
const CANARY = 'my-service-v2';
const INTERVAL = '10s';
/** Scrapes of both workloads inside the query window before the numbers are worth reading. */
const SCRAPES_NEEDED = 9;
const DEADLINE_MS = 30_000;

/** mulberry32: a small seeded RNG so the simulated traffic is the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const query = (template: string, target: string) =>
  renderTemplate(template, { namespace: NAMESPACE, target, interval: INTERVAL });

let mesh: MeshSimulator;
let prometheus: RunningPrometheus;
let metrics: MetricsProvider;

beforeAll(async () => {
  mesh = await startMeshSimulator({
    namespace: NAMESPACE,
    primary: { workload: PRIMARY, behaviour: { errorRate: 0, latencyMedianMs: 20 } },
    canary: {
      workload: CANARY,
      behaviour: { errorRate: 0.05, latencyMedianMs: 20, latencyFactor: 2 },
    },
    requestsPerSecond: 200,
    readWeights: async () => ({ primary: 50, canary: 50 }),
    random: seeded(42),
  });
  prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${mesh.port}`] });
  metrics = createPrometheusMetricsProvider({ url: prometheus.url });

  // Poll until both workloads have enough scrapes inside the window; no fixed sleeps.
  const scrapes = `min(count_over_time(istio_requests_total{destination_workload_namespace="${NAMESPACE}",response_code="200"}[${INTERVAL}]))`;
  const deadline = Date.now() + DEADLINE_MS;
  let seen: number | null = null;
  while (Date.now() < deadline) {
    seen = await metrics.runQuery(scrapes);
    if (seen !== null && seen >= SCRAPES_NEEDED) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`only ${seen ?? 0} scrapes in ${INTERVAL} after ${DEADLINE_MS} ms`);
});

afterAll(async () => {
  await prometheus?.stop();
  await mesh?.stop();
});

describe('built-in Istio queries against a real Prometheus scraping the simulated mesh', () => {
  it('sees Prometheus online', async () => {
    expect(await metrics.isOnline()).toBe(true);
  });

  it('reads the canary success rate near 95 and the primary near 100', async () => {
    const canary = await metrics.runQuery(query(BUILTIN_METRICS['request-success-rate'], CANARY));
    const primary = await metrics.runQuery(query(BUILTIN_METRICS['request-success-rate'], PRIMARY));
    console.info(`success rate: canary ${canary}, primary ${primary}`);
    expect(canary).toBeGreaterThan(90);
    expect(canary).toBeLessThan(99);
    expect(primary).toBeGreaterThan(99);
  });

  it('reads a canary p99 clearly above the primary p99', async () => {
    const canary = await metrics.runQuery(query(BUILTIN_METRICS['request-duration'], CANARY));
    const primary = await metrics.runQuery(query(BUILTIN_METRICS['request-duration'], PRIMARY));
    console.info(`p99 ms: canary ${canary}, primary ${primary}`);
    expect(primary).toBeGreaterThan(0);
    expect((canary ?? 0) / (primary ?? Number.POSITIVE_INFINITY)).toBeGreaterThan(1.5);
  });

  it('counts a sample size for each workload', async () => {
    const canary = await metrics.runQuery(query(SAMPLE_SIZE_QUERY, CANARY));
    const primary = await metrics.runQuery(query(SAMPLE_SIZE_QUERY, PRIMARY));
    console.info(`sample size in ${INTERVAL}: canary ${canary}, primary ${primary}`, mesh.totals());
    expect(canary).toBeGreaterThan(0);
    expect(primary).toBeGreaterThan(0);
  });

  it('reads the same numbers from the grouped queries of a tick as from each workload’s own', async () => {
    const at = new Date();
    const base = seedSpec({ interval: INTERVAL });
    const spec = { ...base, target: { ...base.target, namespace: NAMESPACE } };
    const batch = new QueryBatch(metrics);
    const check = await measureCheck(batch, spec, 50, at);
    expect(batch.queries).toBe(3); // success rate, p99, requests: canary and primary alike
    const alone = async (template: string, target: string) =>
      (await metrics.queryVector(query(template, target), at))[0]?.value ?? null;
    const [success, duration] = check.metrics;
    const pairs = [
      [success?.value, await alone(BUILTIN_METRICS['request-success-rate'], CANARY)],
      [success?.primaryValue, await alone(BUILTIN_METRICS['request-success-rate'], PRIMARY)],
      [success?.sampleSize, await alone(SAMPLE_SIZE_QUERY, CANARY)],
      [success?.primarySampleSize, await alone(SAMPLE_SIZE_QUERY, PRIMARY)],
      [duration?.value, await alone(BUILTIN_METRICS['request-duration'], CANARY)],
      [duration?.primaryValue, await alone(BUILTIN_METRICS['request-duration'], PRIMARY)],
    ];
    console.info('grouped vs alone', pairs);
    for (const [grouped, own] of pairs) {
      expect(own).toBeGreaterThan(0);
      expect(grouped).toBeCloseTo(own as number, 9);
    }
  });

  it('answers null for a workload that serves no traffic', async () => {
    const nobody = await metrics.runQuery(query(BUILTIN_METRICS['request-success-rate'], 'nobody'));
    expect(nobody).toBeNull();
  });

  it('counts 10 s buckets of 5xx and slow requests per side, and the primary p99 bucket', async () => {
    const base = seedSpec();
    const spec = { ...base, target: { ...base.target, namespace: NAMESPACE } };
    // Wait (bounded) for a whole 10 s bucket with both workloads' series at both of its ends.
    const lastBucket = async (metric: Parameters<typeof countBuckets>[2]) => {
      const deadline = Date.now() + DEADLINE_MS;
      while (Date.now() < deadline) {
        const to = new Date(Math.floor(Date.now() / 1000) * 1000);
        const [bucket] = await countBuckets(metrics, spec, metric, {
          from: new Date(to.getTime() - 10_000),
          to,
        });
        if (bucket && bucket.canary.requests > 0 && bucket.primary.requests > 0) return bucket;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`no whole bucket with traffic on both sides after ${DEADLINE_MS} ms`);
    };
    // 200 rps split 50/50: about 1000 requests a side per bucket. Canary 5% 5xx, primary none.
    const errors = await lastBucket('errors');
    console.info('errors bucket', errors);
    expect(errors.primary.bad).toBe(0);
    expect(errors.canary.bad / errors.canary.requests).toBeGreaterThan(0.02);
    expect(errors.canary.bad / errors.canary.requests).toBeLessThan(0.09);
    // Lognormal, median 20 ms, σ 0.5: the primary's p99 is 64 ms, in the (50, 100] bucket;
    // above 100 ms: 0.06% of the primary's requests, 3.4% of the canary's (median 40 ms).
    const bound = await primaryBucketBound(metrics, spec, 99, { end: new Date(), seconds: 10 });
    expect(bound).toBe(100);
    const slow = await lastBucket({ slowerThanMs: 100 });
    console.info('slow bucket', slow);
    expect(slow.canary.bad / slow.canary.requests).toBeGreaterThan(0.015);
    expect(slow.primary.bad / slow.primary.requests).toBeLessThan(0.005);
  });

  it('turns a query Prometheus rejects into MetricsQueryError naming the query', async () => {
    const broken = 'sum(rate(istio_requests_total[10s])';
    const error = await metrics.runQuery(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect((error as Error).message).toContain(broken);
    expect((error as Error).message).toContain('parse error');
  });
});

describe('startPrometheus', () => {
  it('throws PrometheusMissingError that says how to install when the binary is missing', async () => {
    const error = await startPrometheus({
      scrapeTargets: [],
      binary: '/nonexistent/bin/prometheus',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusMissingError);
    expect((error as Error).message).toContain('apt-get install -y prometheus');
  });
});
