import type { EventBus } from '../ports/event-bus.ts';
import type { RolloutStore } from '../ports/rollout-store.ts';

/** What every use case needs: storage, the bus, a clock and ids (all passed in, so tests control them). */
export interface CoreDeps {
  store: RolloutStore;
  bus: EventBus;
  now: () => Date;
  newId: () => string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}
