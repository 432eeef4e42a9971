/**
 * A message of a kanari dead-letter queue (infra/delivery.yml), read back for redrive. The
 * queue receives two shapes:
 * - EventBridge's: an event its rule could not deliver, as the event itself (the reason is in
 *   the message's attributes, ERROR_CODE and ERROR_MESSAGE);
 * - Lambda's on-failure record: an invocation that failed after Lambda's retries, with the
 *   event in `requestPayload` and the reason in `requestContext.condition` and
 *   `responsePayload`.
 */
export type DeadLetter =
  | {
      outcome: 'redrive';
      event: Record<string, unknown>;
      how: 'undelivered' | 'failed';
      why: string;
    }
  /** A scheduled tick: the next tick does its work, so sending it again would only repeat it. */
  | { outcome: 'drop'; why: string }
  /** Not a shape kanari writes: left in the queue for a person to read. */
  | { outcome: 'keep'; why: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEvent = (value: unknown): value is Record<string, unknown> =>
  isObject(value) && typeof value['detail-type'] === 'string' && typeof value.source === 'string';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** What to do with one dead letter, from its body and (EventBridge's) message attributes. */
export const readDeadLetter = (
  body: string,
  attributes: Record<string, string | undefined> = {},
): DeadLetter => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { outcome: 'keep', why: 'the body is not JSON' };
  }
  const failed = isObject(parsed) && isObject(parsed.requestContext);
  const event = failed ? (parsed as Record<string, unknown>).requestPayload : parsed;
  if (!isEvent(event))
    return { outcome: 'keep', why: 'neither an EventBridge event nor a Lambda failure record' };
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event')
    return { outcome: 'drop', why: 'a scheduled tick: the next tick does its work' };
  if (failed) {
    const record = parsed as Record<string, Record<string, unknown> | undefined>;
    const condition = text(record.requestContext?.condition) ?? 'failed';
    const error = [
      text(record.responsePayload?.errorType),
      text(record.responsePayload?.errorMessage),
    ]
      .filter(Boolean)
      .join(': ');
    return {
      outcome: 'redrive',
      event,
      how: 'failed',
      why: error ? `${condition}: ${error}` : condition,
    };
  }
  const why =
    [text(attributes.ERROR_CODE), text(attributes.ERROR_MESSAGE)].filter(Boolean).join(': ') ||
    'not delivered';
  return { outcome: 'redrive', event, how: 'undelivered', why };
};
