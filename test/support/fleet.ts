import type { TickDeps } from '../../lib/app/analyze-tick.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { WorkloadRef } from '../../lib/domain/count-queries.ts';
import type { MetricSpec, RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { AnalysisShard } from '../../lib/domain/shards.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from './fake-ports.ts';
import { seedSpec, seedVirtualService } from './fixtures.ts';

/**
 * A fleet for fan-out tests: `count` rollouts of the seed spec at their first step and due,
 * each with its own workloads (svc-i, svc-i-v2) healthy everywhere, and a tick whose shards
 * are kept in `requested` instead of being sent.
 */
/** svc-000, svc-001, …: rollout i's name and primary workload (its canary's is `-v2`). */
export const fleetName = (i: number) => `svc-${String(i).padStart(3, '0')}`;
const name = fleetName;

/** The seed spec for rollout i of a fleet, with its own workloads; `metrics` replaces its checks. */
export const fleetSpec = (i: number, metrics?: MetricSpec[]): RolloutSpec => {
  const spec = seedSpec(metrics ? { metrics } : {});
  return {
    ...spec,
    name: name(i),
    target: {
      ...spec.target,
      virtualService: name(i),
      primary: { host: 'my-service', workload: name(i) },
      canary: { host: 'my-service-v2', workload: `${name(i)}-v2` },
    },
  };
};

/** Every workload of a fleet of `count`: each rollout's primary and canary. */
export const fleetWorkloads = (count: number): WorkloadRef[] =>
  Array.from({ length: count }, (_, i) => [
    { namespace: 'default', workload: name(i) },
    { namespace: 'default', workload: `${name(i)}-v2` },
  ]).flat();

export const fanOutFleet = async (count: number, batchSize: number, store?: RolloutStore) => {
  const ports = fakePorts(store ? { store } : {});
  const workloads = fleetWorkloads(count);
  // Healthy everywhere: 99.9% success, p99 100 ms, 1,000 requests.
  const metrics = FakeMetricsProvider.perWorkload((query) => {
    if (query.startsWith('sum(increase(')) return 1000;
    if (query.startsWith('histogram_quantile')) return 100;
    return 99.9;
  }, workloads);
  const operator = { type: 'operator', actor: 'test', reason: 'start' } as const;
  for (let i = 0; i < count; i++) {
    const vs = seedVirtualService();
    vs.metadata.name = name(i);
    ports.router.put('sandbox', vs);
    await startRollout(ports.core, fleetSpec(i), operator);
  }
  await ports.deliver();
  ports.advance(60_000);
  const requested: AnalysisShard[] = [];
  const deps: TickDeps = {
    ...ports.core,
    metricsFor: () => metrics,
    batchSize,
    shards: { request: async (shards) => void requested.push(...structuredClone(shards)) },
  };
  const checks = async (id: string) =>
    (await ports.store.ledger(id)).entries.filter((e) => e.kind === 'check').length;
  const ids = Array.from({ length: count }, (_, i) => `sandbox/default/${name(i)}`);
  return { ...ports, deps, requested, metrics, checks, ids };
};
