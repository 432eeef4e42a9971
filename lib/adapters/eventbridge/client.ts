// Types only: the SDK's shapes, erased at build, so no SDK code is bundled.
import type { PutEventsRequest, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import { type AwsJsonCall, type AwsJsonClientOptions, awsJsonClient } from '../aws-json.ts';

/** The one EventBridge operation kanari uses. */
export interface EventsClient {
  putEvents(input: PutEventsRequest): Promise<PutEventsResponse>;
}

/** EventBridge over its JSON protocol (lib/adapters/aws-json.ts). */
export const eventsClient = (
  options: AwsJsonClientOptions,
  call: AwsJsonCall = awsJsonClient(
    { signingName: 'events', targetPrefix: 'AWSEvents', jsonVersion: '1.1' },
    options,
  ),
): EventsClient => ({
  putEvents: (input) => call<PutEventsResponse>('PutEvents', input),
});
