import { randomUUID } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createCloudWatchAlarmTags } from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { createEventBridgeBus } from '../../lib/adapters/eventbridge/event-bus.ts';
import type { CoreDeps } from '../../lib/app/deps.ts';
import type { IntakeDeps } from '../../lib/app/intake-alert.ts';
import { type Config, loadConfig } from '../../lib/schemas/config.ts';
import { log } from './log.ts';

// Prometheus is wired in metrics-wiring.ts and Kubernetes in kube-wiring.ts, so that a function
// bundles only the clients it reaches (and the console's read routes load neither).
// Clients live at module scope so that warm invocations reuse their connections.
// Endpoints for local runs come from the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables.
export const config: Config = loadConfig(process.env);

/** One EventBridge client per function: the bus and, in analyze, the shard queue share it. */
export const eventBridge = (): EventBridgeClient => {
  sharedEventBridge ??= new EventBridgeClient({ region: config.AWS_REGION });
  return sharedEventBridge;
};
let sharedEventBridge: EventBridgeClient | undefined;

export const core = (): CoreDeps => ({
  store: createDynamoRolloutStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.AWS_REGION }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: config.KANARI_TABLE,
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
    client: new CloudWatchClient({ region: config.AWS_REGION }),
  }),
});
