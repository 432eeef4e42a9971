import { randomUUID } from 'node:crypto';
import { endpointFromEnv } from '../../lib/adapters/aws-json.ts';
import {
  cloudWatchClient,
  createCloudWatchAlarmTags,
} from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { dynamoClient } from '../../lib/adapters/dynamodb/client.ts';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { type EventsClient, eventsClient } from '../../lib/adapters/eventbridge/client.ts';
import { createEventBridgeBus } from '../../lib/adapters/eventbridge/event-bus.ts';
import type { CoreDeps } from '../../lib/app/deps.ts';
import type { IntakeDeps } from '../../lib/app/intake-alert.ts';
import { type Config, loadConfig } from '../../lib/schemas/config.ts';
import { log } from './log.ts';

// Prometheus is wired in metrics-wiring.ts and Kubernetes in kube-wiring.ts, so that a function
// bundles only the clients it reaches (and the console's read routes load neither).
// Clients live at module scope so that warm invocations reuse their connections.
// DynamoDB and EventBridge are called over their JSON protocol (lib/adapters/aws), not through
// the SDK's clients; endpoints for local runs come from the SDK's own AWS_ENDPOINT_URL_<SERVICE>
// variables all the same.
export const config: Config = loadConfig(process.env);

/** One EventBridge client per function: the bus and, in analyze, the shard queue share it. */
export const eventBridge = (): EventsClient => {
  sharedEventBridge ??= eventsClient({
    region: config.AWS_REGION,
    endpoint: endpointFromEnv(process.env, 'EVENTBRIDGE'),
  });
  return sharedEventBridge;
};
let sharedEventBridge: EventsClient | undefined;

export const core = (): CoreDeps => ({
  store: createDynamoRolloutStore({
    client: dynamoClient({
      region: config.AWS_REGION,
      endpoint: endpointFromEnv(process.env, 'DYNAMODB'),
    }),
    tableName: config.KANARI_TABLE,
    ...(config.KANARI_LEDGER_RETENTION_DAYS
      ? { ledgerRetentionDays: config.KANARI_LEDGER_RETENTION_DAYS }
      : {}),
    onUnreadable: (problem) => log('unreadable rollout left out of a listing', { problem }),
  }),
  bus: createEventBridgeBus({
    client: eventBridge(),
    busName: config.KANARI_EVENT_BUS,
  }),
  now: () => new Date(),
  newId: randomUUID,
  log,
});

export const consoleDeps = (): CoreDeps => core();

/** Alert intake: webhooks and CloudWatch alarms. Tags are read only when a matcher needs them. */
export const alertDeps = (): IntakeDeps => ({
  ...core(),
  alarmTags: createCloudWatchAlarmTags({
    client: cloudWatchClient({
      region: config.AWS_REGION,
      endpoint: endpointFromEnv(process.env, 'CLOUDWATCH'),
    }),
  }),
});
