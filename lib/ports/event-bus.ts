import type { KanariEvent } from '../domain/events.ts';

/** Publishes kanari's events (EventBridge in AWS, source `kanari`). */
export interface EventBus {
  publish(events: KanariEvent[]): Promise<void>;
}
