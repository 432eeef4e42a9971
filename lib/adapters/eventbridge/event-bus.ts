import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { KanariEvent } from '../../domain/events.ts';
import { KanariError } from '../../ports/errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';

export const EVENT_SOURCE = 'kanari';
const BATCH = 10; // PutEvents takes at most 10 entries

/** EventBridge refused some entries. */
export class EventPublishError extends KanariError {}

/** Publishes kanari events on an EventBridge bus with source `kanari`. */
export const createEventBridgeBus = (options: {
  client: EventBridgeClient;
  busName: string;
}): EventBus => ({
  async publish(events: KanariEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += BATCH) {
      const entries: PutEventsRequestEntry[] = events.slice(start, start + BATCH).map((event) => ({
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        EventBusName: options.busName,
        Resources: [],
      }));
      const result = await options.client.send(new PutEventsCommand({ Entries: entries }));
      if (result.FailedEntryCount) {
        const failed = (result.Entries ?? []).filter((entry) => entry.ErrorCode);
        throw new EventPublishError(
          `EventBridge refused ${result.FailedEntryCount} event(s): ${failed.map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`).join('; ')}`,
        );
      }
    }
  },
});
