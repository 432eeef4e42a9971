import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const named = (name: string): RolloutSpec => {
  const spec = seedSpec();
  return { ...spec, name, target: { ...spec.target, virtualService: name } };
};

/** Answers the built-in queries: healthy on both sides, enough requests. */
const healthy = (query: string) =>
  query.startsWith('sum(increase(') ? 500 : query.startsWith('histogram_quantile') ? 250 : 99.9;

describe('one tick, one rollout that throws', () => {
  it('records the error for that rollout only; the others in the tick are judged', async () => {
    const { core, router, deliver, advance } = fakePorts();
    for (const name of ['cart', 'broken', 'till']) {
      const vs = seedVirtualService();
      vs.metadata.name = name;
      router.put('sandbox', vs);
    }
    const good = FakeMetricsProvider.perWorkload(healthy);
    // A throw outside the queries (whose errors are already "no data"): here, no provider.
    const deps: AnalyzeDeps = {
      ...core,
      metricsFor: (spec) => {
        if (spec.name === 'broken') throw new Error('no metrics provider for cluster "gone"');
        return good;
      },
    };
    const operator = { type: 'operator', actor: 'test', reason: 'start' } as const;
    for (const name of ['cart', 'broken', 'till']) await startRollout(core, named(name), operator);
    await deliver();
    advance(60_000);

    const outcomes = await analyzeDue(deps);
    const byId = Object.fromEntries(outcomes.map((o) => [o.id.split('/').at(-1), o]));
    expect(byId.broken).toEqual({
      id: 'sandbox/default/broken',
      outcome: 'error',
      message: 'no metrics provider for cluster "gone"',
    });
    for (const name of ['cart', 'till'])
      expect(byId[name]).toMatchObject({ outcome: 'decided', verdict: 'pass' });
    // Nothing was written for the one that threw: the next tick tries it again.
    const state = await core.store.get('sandbox/default/broken');
    expect(state?.checks).toBe(0);
  });
});
