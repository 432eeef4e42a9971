import { randomUUID } from 'node:crypto';
import { applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { seedVirtualService } from './fixtures.ts';

/**
 * Starts a rollout in `store` and applies its first step against an in-memory VirtualService,
 * so it is Progressing at its first weight, as a real one is between two checks.
 */
export const startInFlight = async (
  store: RolloutStore,
  spec: RolloutSpec,
): Promise<RolloutState> => {
  const bus = new FakeEventBus();
  const router = new FakeTrafficRouter();
  const vs = seedVirtualService(spec.target.namespace);
  vs.metadata.name = spec.target.virtualService;
  router.put(spec.target.cluster, vs);
  const deps = { store, bus, now: () => new Date(), newId: randomUUID };
  const { state: started } = await startRollout(deps, spec, {
    type: 'operator',
    actor: 'test',
    reason: 'start',
  });
  for (const event of bus.drain().filter((e) => TRAFFIC_REQUESTS.includes(e.detailType)))
    await applyDecision({ ...deps, router }, event.detail);
  const state = await store.get(started.id);
  if (state?.phase !== 'Progressing' || state.pending)
    throw new Error(`rollout ${started.id} did not reach its first step: ${state?.phase}`);
  return state;
};
