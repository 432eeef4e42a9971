import { describe, expect, it } from 'vitest';
import { QueryBatch } from '../../lib/app/query-batch.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { QueryRange, Sample } from '../../lib/ports/metrics-provider.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';

const T = 1_800_000_000;
const at = (seconds: number) => new Date(seconds * 1000);
const row = (namespace: string, workload: string, value: number | null): Sample => ({
  labels: { destination_workload_namespace: namespace, destination_workload: workload },
  value,
});
/** A counter per workload that grows by 1 per second: its value at t is t − T. */
const growing = (_query: string, t: number) => [
  row('shop', 'web', t - T),
  row('shop', 'web-canary', 2 * (t - T)),
];

/** Records each request the backend sees, with its range. */
const recording = () => {
  const provider = new FakeMetricsProvider({}, growing);
  const ranges: { query: string; start: number; end: number }[] = [];
  const queryRange = provider.queryRange.bind(provider);
  provider.queryRange = (query: string, range: QueryRange) => {
    ranges.push({ query, start: range.start.getTime() / 1000, end: range.end.getTime() / 1000 });
    return queryRange(query, range);
  };
  return { provider, ranges };
};
const window = (start: number, end: number) => ({
  start: at(start),
  end: at(end),
  stepSeconds: 10,
});

describe('QueryBatch', () => {
  it('asks an instant query once per evaluation time, and gives each workload its rows', async () => {
    const { provider } = recording();
    const batch = new QueryBatch(provider);
    const web = { namespace: 'shop', workload: 'web' };
    const canary = { namespace: 'shop', workload: 'web-canary' };
    const [a, b, c, d] = await Promise.all([
      batch.vectorOf('q', at(T + 5), web),
      batch.vectorOf('q', at(T + 5), canary),
      batch.vectorOf('q', at(T + 5), { namespace: 'other', workload: 'web' }),
      batch.vectorOf('q', at(T + 6), web),
    ]);
    expect([a, b, c, d]).toEqual([
      [row('shop', 'web', 5)],
      [row('shop', 'web-canary', 10)],
      [],
      [row('shop', 'web', 6)],
    ]);
    expect(provider.queries).toEqual(['q', 'q']);
    expect(batch.queries).toBe(2);
  });

  it('matches workload names exactly: no regex, no prefix', async () => {
    const provider = new FakeMetricsProvider({}, () => [
      row('shop', 'web.1', 1),
      row('shop', 'webx1', 2),
      row('shop', 'web', 3),
    ]);
    const batch = new QueryBatch(provider);
    const values = async (workload: string) =>
      (await batch.vectorOf('q', at(T), { namespace: 'shop', workload })).map((s) => s.value);
    expect(await values('web.1')).toEqual([1]);
    expect(await values('web')).toEqual([3]);
    expect(await values('we')).toEqual([]);
  });

  it('asks range queries of one query, step and end once, over the union of their ranges', async () => {
    const { provider, ranges } = recording();
    const batch = new QueryBatch(provider);
    const web = { namespace: 'shop', workload: 'web' };
    const [late, early, whole] = await Promise.all([
      batch.rangeOf('q', window(T + 40, T + 60), web),
      batch.rangeOf('q', window(T + 10, T + 60), web),
      batch.queryRange('q', window(T + 30, T + 60)),
    ]);
    expect(ranges).toEqual([{ query: 'q', start: T + 10, end: T + 60 }]);
    // Each caller sees exactly what it would have seen asking alone.
    expect(late[0]?.points.map((p) => p.t)).toEqual([T + 40, T + 50, T + 60]);
    expect(early[0]?.points.map((p) => p.value)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(whole.map((s) => s.points.length)).toEqual([4, 4]);
    const alone = await provider.queryRange('q', window(T + 40, T + 60));
    expect(late).toEqual(alone.filter((s) => s.labels.destination_workload === 'web'));
  });

  it('keeps ranges apart whose steps fall on different grids, or that end elsewhere', async () => {
    const { provider, ranges } = recording();
    const batch = new QueryBatch(provider);
    await Promise.all([
      batch.queryRange('q', window(T, T + 60)),
      batch.queryRange('q', window(T + 5, T + 65)),
      batch.queryRange('q', window(T, T + 50)),
      batch.queryRange('other', window(T, T + 60)),
    ]);
    expect(ranges).toHaveLength(4);
  });

  it('reuses a range already sent that covers a later request; an earlier one asks again', async () => {
    const { provider, ranges } = recording();
    const batch = new QueryBatch(provider);
    await batch.queryRange('q', window(T + 20, T + 60));
    const covered = await batch.queryRange('q', window(T + 30, T + 60));
    expect(covered[0]?.points.map((p) => p.t)).toEqual([T + 30, T + 40, T + 50, T + 60]);
    expect(ranges).toHaveLength(1);
    const earlier = await batch.queryRange('q', window(T, T + 60));
    expect(earlier[0]?.points).toHaveLength(7);
    expect(ranges.map((r) => r.start)).toEqual([T + 20, T]);
    expect(batch.queries).toBe(2);
  });

  it('fails every caller of a request that failed', async () => {
    const provider = new FakeMetricsProvider({}, () => new MetricsQueryError('down'));
    const batch = new QueryBatch(provider);
    const web = { namespace: 'shop', workload: 'web' };
    const results = await Promise.allSettled([
      batch.vectorOf('q', at(T), web),
      batch.vectorOf('q', at(T), { ...web, workload: 'web-canary' }),
      batch.rangeOf('r', window(T, T + 20), web),
      batch.rangeOf('r', window(T + 10, T + 20), web),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(batch.queries).toBe(2);
  });

  it('indexes a large answer once: 10,000 rollouts read their rows from 20,000', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row('shop', `w-${i}`, i));
    const provider = new FakeMetricsProvider({}, () => rows);
    const batch = new QueryBatch(provider);
    const started = performance.now();
    const values = await Promise.all(
      Array.from({ length: 10_000 }, async (_, i) => {
        const [sample] = await batch.vectorOf('q', at(T), {
          namespace: 'shop',
          workload: `w-${i}`,
        });
        return sample?.value;
      }),
    );
    console.log(
      `query batch: 10,000 workloads picked from 20,000 rows in ${Math.round(performance.now() - started)} ms, ${batch.queries} query`,
    );
    expect(values.every((v, i) => v === i)).toBe(true);
    expect(batch.queries).toBe(1);
  });
});
