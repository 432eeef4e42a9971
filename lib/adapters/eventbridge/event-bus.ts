import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { KanariEvent } from '../../domain/events.ts';
import { KanariError } from '../../ports/errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import { type RetryPolicy, withRetries } from '../retry.ts';
import type { EventsClient } from './client.ts';

export const EVENT_SOURCE = 'kanari';
const BATCH = 10; // PutEvents takes at most 10 entries

/** EventBridge refused some entries. */
export class EventPublishError extends KanariError {}

/**
 * Sends entries in one PutEvents request. Entries that EventBridge refuses (`FailedEntryCount`
 * > 0: throttled, internal failure) are sent again, only those, with backoff; if some are
 * still refused, it throws, so the caller never reports work that was not done.
 */
export const putEntries = async (
  client: EventsClient,
  first: PutEventsRequestEntry[],
  retry?: RetryPolicy,
): Promise<void> => {
  let entries = first;
  await withRetries(
    async () => {
      const result = await client.putEvents({ Entries: entries });
      if (!result.FailedEntryCount) return;
      // Result entries are in request order; a refused one has an ErrorCode.
      const answers = result.Entries ?? [];
      const refused = answers.filter((entry) => entry.ErrorCode);
      if (answers.length === entries.length)
        entries = entries.filter((_, i) => answers[i]?.ErrorCode);
      throw new EventPublishError(
        `EventBridge refused ${result.FailedEntryCount} event(s): ${refused.map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`).join('; ')}`,
      );
    },
    (error) => error instanceof EventPublishError,
    retry,
  );
};

/** Publishes kanari events on an EventBridge bus with source `kanari`, 10 to a request. */
export const createEventBridgeBus = (options: {
  client: EventsClient;
  busName: string;
  retry?: RetryPolicy;
}): EventBus => ({
  async publish(events: KanariEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += BATCH) {
      const entries = events.slice(start, start + BATCH).map((event) => ({
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        EventBusName: options.busName,
        Resources: [],
      }));
      await putEntries(options.client, entries, options.retry);
    }
  },
});
