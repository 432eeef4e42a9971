import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import type { CoreDeps } from '../../lib/app/deps.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { seedVirtualService } from './fixtures.ts';

/**
 * Fakes for every port around the seed VirtualService (cluster `sandbox`), a clock that moves
 * only when told, numbered ids, and `deliver()`: shift-traffic applying what was requested.
 */
export const fakePorts = (options: { store?: RolloutStore; log?: CoreDeps['log'] } = {}) => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let ids = 0;
  const store = options.store ?? createInMemoryRolloutStore();
  const bus = new FakeEventBus();
  const router = new FakeTrafficRouter();
  router.put('sandbox', seedVirtualService());
  const core = {
    store,
    bus,
    now: () => new Date(clock),
    newId: () => `id-${++ids}`,
    ...(options.log && { log: options.log }),
  };
  const applyDeps: ApplyDeps = { ...core, router };
  const deliver = async () => {
    for (const event of bus.drain().filter((e) => TRAFFIC_REQUESTS.includes(e.detailType)))
      await applyDecision(applyDeps, event.detail);
  };
  return {
    store,
    bus,
    router,
    core,
    applyDeps,
    deliver,
    advance: (ms: number) => {
      clock += ms;
    },
  };
};
