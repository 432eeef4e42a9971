import type { DetailType, KanariEvent } from '../../lib/domain/events.ts';
import type { EventBus } from '../../lib/ports/event-bus.ts';

/** Keeps published events in memory, in order. */
export class FakeEventBus implements EventBus {
  readonly published: KanariEvent[] = [];

  async publish(events: KanariEvent[]): Promise<void> {
    this.published.push(...structuredClone(events));
  }

  /** Events of one detail-type, oldest first. */
  of(detailType: DetailType): KanariEvent[] {
    return this.published.filter((event) => event.detailType === detailType);
  }

  /** Takes every event published so far, leaving none. */
  drain(): KanariEvent[] {
    return this.published.splice(0);
  }
}
