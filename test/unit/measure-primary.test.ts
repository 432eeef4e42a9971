import { describe, expect, it } from 'vitest';
import { measureCheck } from '../../lib/app/measure.ts';
import type { WorkloadRef } from '../../lib/domain/count-queries.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { seedSpec } from '../support/fixtures.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const isPrimary = (workload?: WorkloadRef) => workload?.workload === 'my-service';

describe("the primary's values beside the canary's", () => {
  it('measures each metric on the primary too, for display, without judging it', async () => {
    const metrics = FakeMetricsProvider.perWorkload((query, workload) =>
      query.startsWith('sum(increase(')
        ? 500
        : query.startsWith('histogram_quantile')
          ? isPrimary(workload)
            ? 900 // the primary is slow: shown, but the canary alone is judged
            : 300
          : isPrimary(workload)
            ? 99.9
            : 99.5,
    );
    const check = await measureCheck(metrics, seedSpec(), 10, NOW);
    expect(check.verdict).toBe('pass');
    expect(check.metrics.map((m) => [m.name, m.value, m.primaryValue])).toEqual([
      ['request-success-rate', 99.5, 99.9],
      ['request-duration', 300, 900],
    ]);
    // One grouped query per metric and one for the sample sizes, shared by canary and primary.
    expect(metrics.queries).toHaveLength(3);
    expect(check.metrics.map((m) => m.query)).toEqual([
      expect.stringContaining('destination_workload=~"my-service-v2"'),
      expect.stringContaining('destination_workload=~"my-service-v2"'),
    ]);
  });

  it('does not ask twice when a query does not name the target, and a primary without data changes nothing', async () => {
    const spec = seedSpec({
      metrics: [
        {
          name: 'queue-depth',
          query: 'max(queue_depth{ns="{{ namespace }}"})',
          thresholdRange: { max: 10 },
        },
        { name: 'request-success-rate', thresholdRange: { min: 99 } },
      ],
    });
    const metrics = FakeMetricsProvider.perWorkload((query, workload) => {
      if (isPrimary(workload)) return null; // no row for the primary in the grouped result
      return query.startsWith('sum(increase(') ? 500 : query.startsWith('max(') ? 3 : 99.5;
    });
    const check = await measureCheck(metrics, spec, 10, NOW);
    expect(check.verdict).toBe('pass');
    expect(check.metrics[0]).not.toHaveProperty('primaryValue');
    expect(check.metrics[0]?.queriedAlone).toBe('custom query: cannot be grouped by workload');
    expect(check.metrics[1]?.primaryValue).toBeNull();
    expect(check.metrics[1]).not.toHaveProperty('queriedAlone');
    expect(metrics.queries.filter((q) => q.startsWith('max('))).toHaveLength(1);
  });
});
