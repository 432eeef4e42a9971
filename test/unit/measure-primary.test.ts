import { describe, expect, it } from 'vitest';
import { measureCheck } from '../../lib/app/measure.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { seedSpec } from '../support/fixtures.ts';

const canary = 'destination_workload=~"my-service-v2"';
const primary = 'destination_workload=~"my-service"';

describe("the primary's values beside the canary's", () => {
  it('measures each metric on the primary too, for display, without judging it', async () => {
    const metrics = new FakeMetricsProvider((query) =>
      query.startsWith('sum(increase(')
        ? 500
        : query.includes(canary)
          ? query.startsWith('histogram_quantile')
            ? 300
            : 99.5
          : query.startsWith('histogram_quantile')
            ? 900 // the primary is slow: shown, but the canary alone is judged
            : 99.9,
    );
    const check = await measureCheck(metrics, seedSpec(), 10);
    expect(check.verdict).toBe('pass');
    expect(check.metrics.map((m) => [m.name, m.value, m.primaryValue])).toEqual([
      ['request-success-rate', 99.5, 99.9],
      ['request-duration', 300, 900],
    ]);
    expect(
      metrics.queries.filter((q) => q.includes(primary) && !q.startsWith('sum(increase(')),
    ).toHaveLength(2);
  });

  it('does not ask twice when a query does not name the target, and a failing primary changes nothing', async () => {
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
    const metrics = new FakeMetricsProvider((query) => {
      if (query.includes(primary)) return new MetricsQueryError('primary series missing');
      return query.startsWith('sum(increase(') ? 500 : query.startsWith('max(') ? 3 : 99.5;
    });
    const check = await measureCheck(metrics, spec, 10);
    expect(check.verdict).toBe('pass');
    expect(check.metrics[0]).not.toHaveProperty('primaryValue');
    expect(check.metrics[1]?.primaryValue).toBeNull();
    expect(metrics.queries.filter((q) => q.startsWith('max('))).toHaveLength(1);
  });
});
