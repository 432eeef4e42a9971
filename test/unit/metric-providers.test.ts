import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

// A custom query picks its metric provider by name (KANARI_METRIC_PROVIDERS), its own or the
// analysis's; the built-ins stay with the deployment's Prometheus.

const ALB_5XX = '[{"Id":"rate","Expression":"100 * e / r","Label":"{{ target }}"}]';

const check = async (spec: RolloutSpec) => {
  const ports = fakePorts();
  ports.router.put('sandbox', seedVirtualService());
  await startRollout(ports.core, spec, { type: 'operator', actor: 'test', reason: 'start' });
  await ports.deliver();
  ports.advance(60_000);
  const prometheus = FakeMetricsProvider.perWorkload({ 'sum(increase(': 1000, '': 99.9 });
  const cloudwatch = new FakeMetricsProvider({ '"Id":"rate"': 2.5 });
  const named: string[] = [];
  const deps: AnalyzeDeps = {
    ...ports.core,
    metricsFor: () => prometheus,
    metricsNamed: (name) => {
      named.push(name);
      if (name === 'cw') return cloudwatch;
      throw new MetricsQueryError(
        `no metric provider named "${name}": KANARI_METRIC_PROVIDERS has cw`,
      );
    },
  };
  await analyzeDue(deps, { limit: 10 });
  const { entries } = await ports.store.ledger('sandbox/default/my-service');
  const metrics = entries.filter((e) => e.kind === 'check').at(-1)?.check?.metrics ?? [];
  return { metrics, prometheus, cloudwatch, named };
};

describe('metric providers per metric and per rollout', () => {
  it("asks a custom query of the provider it names, and the built-ins of the deployment's Prometheus", async () => {
    const { metrics, prometheus, cloudwatch } = await check(
      seedSpec({
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 } },
          { name: 'alb-5xx', query: ALB_5XX, provider: 'cw', thresholdRange: { max: 5 } },
        ],
      }),
    );
    expect(metrics.map((m) => [m.name, m.value, m.verdict])).toEqual([
      ['request-success-rate', 99.9, 'pass'],
      ['alb-5xx', 2.5, 'pass'],
    ]);
    // Rendered for the canary (and the primary, shown beside it), asked of CloudWatch alone.
    expect(cloudwatch.queries).toContain(
      '[{"Id":"rate","Expression":"100 * e / r","Label":"my-service-v2"}]',
    );
    expect(prometheus.queries.some((q) => q.includes('"Id"'))).toBe(false);
  });

  it('takes analysis.provider for a custom query that names none', async () => {
    const spec = seedSpec({
      provider: 'cw',
      metrics: [{ name: 'alb-5xx', query: ALB_5XX, thresholdRange: { max: 1 } }],
    });
    const { metrics, named } = await check(spec);
    expect(named).toContain('cw');
    expect(metrics.map((m) => [m.value, m.verdict])).toEqual([[2.5, 'fail']]);
  });

  it('holds on a provider that is not configured, naming it, and judges the other metrics', async () => {
    const { metrics } = await check(
      seedSpec({
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 } },
          { name: 'other', query: 'x', provider: 'nope', thresholdRange: { max: 1 } },
        ],
      }),
    );
    expect(metrics[0]?.verdict).toBe('pass');
    expect(metrics[1]).toMatchObject({
      verdict: 'inconclusive',
      sourceDown: 'no metric provider named "nope": KANARI_METRIC_PROVIDERS has cw',
    });
  });

  it('refuses a provider on a built-in, naming the field', () => {
    const parsed = parseRolloutSpec({
      ...seedSpec({ metrics: [{ name: 'request-success-rate', provider: 'cw' }] }),
    });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      {
        path: 'analysis.metrics[0].provider',
        message: "only for a custom query: built-ins are read from the deployment's Prometheus",
      },
    ]);
  });
});
