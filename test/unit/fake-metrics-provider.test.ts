import { describe, expect, it } from 'vitest';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { contractVectors, metricsProviderContract } from '../support/metrics-provider-contract.ts';

// The fake stands in for Prometheus in every unit test: it must keep the provider's contract
// (shared with the real adapter) and answer as the tests configure it.
metricsProviderContract('FakeMetricsProvider', () => new FakeMetricsProvider({}, contractVectors));

describe('FakeMetricsProvider as tests configure it', () => {
  it('answers the first substring a query contains, no data otherwise, and records every query', async () => {
    const fake = new FakeMetricsProvider({ errors: 2, requests: 100 });
    expect(await fake.runQuery('sum(errors) / sum(requests)')).toBe(2);
    expect(await fake.runQuery('sum(requests)')).toBe(100);
    expect(await fake.runQuery('up')).toBeNull();
    expect(fake.queries).toEqual(['sum(errors) / sum(requests)', 'sum(requests)', 'up']);
  });

  it('throws the error an answer holds, and answerWith replaces the answers', async () => {
    const fake = new FakeMetricsProvider({ q: new MetricsQueryError('down') });
    await expect(fake.runQuery('q')).rejects.toThrow('down');
    fake.answerWith({ q: 7 });
    expect(await fake.runQuery('q')).toBe(7);
  });

  it('answers a grouped query once per workload, each with its own value', async () => {
    const workloads = [
      { namespace: 'shop', workload: 'a' },
      { namespace: 'shop', workload: 'b' },
    ];
    const fake = FakeMetricsProvider.perWorkload(
      (_query, w) => (w?.workload === 'a' ? 1 : 2),
      workloads,
    );
    const rows = await fake.queryVector(
      'sum by (destination_workload_namespace, destination_workload) (x)',
      new Date(0),
    );
    const byWorkload = Object.fromEntries(
      rows.map((r) => [r.labels.destination_workload, r.value]),
    );
    expect(byWorkload).toEqual({ a: 1, b: 2 });
  });
});
