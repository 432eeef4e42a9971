import { describe, expect, it } from 'vitest';
import {
  type PreflightDeps,
  PreflightRefusedError,
  preflightGate,
  runPreflight,
} from '../../lib/app/preflight.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { TrafficForbiddenError } from '../../lib/ports/errors.ts';
import { FakeClusterReader } from '../fakes/fake-cluster-reader.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

/** Every query answers for the primary, my-service; nothing for other workloads. */
const primaryAnswers = (query: string) => (query.includes('=~"my-service"') ? 99.5 : null);

const world = (clusters = ['sandbox', 'staging']) => {
  const reader = new FakeClusterReader(clusters);
  reader.putVirtualService('sandbox', seedVirtualService());
  const metrics = new FakeMetricsProvider(primaryAnswers);
  const deps: PreflightDeps = { clusters: reader, metrics, scheduleSeconds: 60 };
  return { reader, metrics, deps };
};

const checks = (report: { problems: { check: string }[] }) => report.problems.map((p) => p.check);

describe('preflight against live facts', () => {
  it('passes the seed, warning only about the shadowed /v2 route', async () => {
    const { deps } = world();
    const report = await runPreflight(deps, seedSpec());
    expect(report.problems).toEqual([]);
    expect(report.warnings.map((w) => w.check)).toEqual(['shadowed-route']);
  });

  it('refuses a cluster that is not configured, listing the configured ones', async () => {
    const { deps } = world();
    const report = await runPreflight(deps, seedSpec({}, 'prod-eu'));
    expect(report.problems).toEqual([
      {
        check: 'cluster',
        message:
          'cluster "prod-eu" (target.cluster) is not configured; configured clusters: "sandbox", "staging" (kubeconfig contexts and KANARI_EKS_CLUSTERS)',
      },
    ]);
  });

  it('refuses a cluster that does not answer or refuses the credentials', async () => {
    const { deps, reader } = world();
    reader.failure = new Error('connect ECONNREFUSED 10.0.0.1:443');
    expect((await runPreflight(deps, seedSpec())).problems[0]?.message).toBe(
      'cluster "sandbox" is not reachable: connect ECONNREFUSED 10.0.0.1:443',
    );
    reader.failure = new TrafficForbiddenError('get VirtualService: Unauthorized');
    expect((await runPreflight(deps, seedSpec())).problems[0]?.message).toBe(
      `cluster "sandbox" refused kanari's credentials: get VirtualService: Unauthorized`,
    );
  });

  it('refuses a metric provider that is not configured, naming the field', async () => {
    const { deps } = world();
    const spec = seedSpec({
      provider: 'cw',
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 } },
        { name: 'alb', query: '[{"Id":"a"}]', provider: 'amp', thresholdRange: { max: 1 } },
      ],
    });
    expect(
      (await runPreflight({ ...deps, providers: ['cw'] }, spec)).problems.filter(
        (p) => p.check === 'provider',
      ),
    ).toEqual([
      {
        check: 'provider',
        message:
          'metric provider "amp" (analysis.metrics[1].provider) is not configured; configured providers: "cw" (KANARI_METRIC_PROVIDERS)',
      },
    ]);
    expect(checks(await runPreflight({ ...deps, providers: ['cw', 'amp'] }, spec))).not.toContain(
      'provider',
    );
    expect(
      (await runPreflight(deps, spec)).problems.filter((p) => p.check === 'provider').length,
    ).toBe(2);
  });

  it('refuses a VirtualService that does not exist, naming it', async () => {
    const { deps } = world();
    const spec = seedSpec();
    spec.target.virtualService = 'nowhere';
    expect((await runPreflight(deps, spec)).problems).toEqual([
      {
        check: 'virtual-service',
        message:
          'VirtualService default/nowhere (target.virtualService) was not found in cluster "sandbox"',
      },
    ]);
  });

  it('refuses when Prometheus does not answer', async () => {
    const { deps, metrics } = world();
    metrics.online = false;
    expect((await runPreflight(deps, seedSpec())).problems).toEqual([
      { check: 'prometheus', message: 'Prometheus (PROMETHEUS_URL) does not answer queries' },
    ]);
  });

  it('refuses when the built-in queries find nothing for the primary, naming workload, namespace and the field', async () => {
    const { deps } = world();
    const spec = seedSpec();
    spec.target.primary = { host: 'my-service', workload: 'my-service-primary' };
    const report = await runPreflight(deps, spec);
    expect(checks(report)).toEqual(['primary-series']);
    expect(report.problems[0]?.message).toContain(
      'request-success-rate, request-duration found no series (or no requests in the window) for workload "my-service-primary" in namespace "default"; target.primary.workload sets',
    );
  });

  it('asks the primary for the built-ins the spec uses, over its interval', async () => {
    const { deps, metrics } = world();
    await runPreflight(deps, seedSpec({ interval: '2m' }));
    expect(metrics.queries.filter((q) => q !== 'vector(1)')).toHaveLength(2);
    expect(
      metrics.queries.every(
        (q) => q === 'vector(1)' || (q.includes('=~"my-service"') && q.includes('[2m]')),
      ),
    ).toBe(true);
  });

  it('refuses a subset-level target whose DestinationRule lacks a subset', async () => {
    const { deps, reader } = world();
    const vs = seedVirtualService();
    vs.metadata.name = 'reviews';
    for (const r of vs.spec.http ?? [])
      for (const d of r.route ?? []) {
        d.destination = {
          host: 'reviews',
          subset: d.destination.host === 'my-service' ? 'v1' : 'v2',
        };
      }
    reader.putVirtualService('sandbox', vs);
    reader.putDestinationRule('sandbox', {
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { host: 'reviews', subsets: [{ name: 'v1' }] },
    });
    const spec = seedSpec();
    spec.target = {
      ...spec.target,
      virtualService: 'reviews',
      primary: { host: 'reviews', subset: 'v1', workload: 'my-service' },
      canary: { host: 'reviews', subset: 'v2' },
    };
    const report = await runPreflight(deps, spec);
    expect(report.problems).toEqual([
      {
        check: 'destination-rule',
        message:
          'DestinationRule default/reviews for host reviews has no subset v2 (target.canary); it has v1',
      },
    ]);
  });

  it('reports every problem at once', async () => {
    const { deps, metrics } = world();
    metrics.online = false;
    const report = await runPreflight(deps, seedSpec({ interval: '30s' }, 'prod-eu'));
    expect(checks(report)).toEqual(['cluster', 'interval', 'prometheus']);
  });
});

describe('startRollout with the preflight gate', () => {
  it('writes nothing and publishes nothing when preflight refuses', async () => {
    const { deps } = world();
    const { store, bus, core } = fakePorts();
    const spec = seedSpec({ interval: '10s' });
    const refused = await startRollout(
      core,
      spec,
      { type: 'scheduler' },
      {
        preflight: preflightGate(deps),
      },
    ).catch((error) => error);
    expect(refused).toBeInstanceOf(PreflightRefusedError);
    expect(refused.message).toMatch(/^analysis.interval is 10s/);
    expect(refused.warnings.map((w: { check: string }) => w.check)).toEqual(['shadowed-route']);
    expect(await store.get('sandbox/default/my-service')).toBeUndefined();
    expect(bus.drain()).toEqual([]);
  });

  it('starts and returns the warnings when preflight passes', async () => {
    const { deps } = world();
    const { core } = fakePorts();
    const result = await startRollout(
      core,
      seedSpec(),
      { type: 'scheduler' },
      {
        preflight: preflightGate(deps),
      },
    );
    expect(result.outcome).toBe('started');
    expect(result.state.phase).toBe('Progressing');
    expect(result.warnings).toEqual([expect.stringContaining('http route 1 (prefix /v2)')]);
  });
});
