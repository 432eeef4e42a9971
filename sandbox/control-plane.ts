import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTable, startDynamoDbLocal } from './dynamodb-local.ts';
import { freePort } from './free-port.ts';
import { type Offline, startOffline } from './offline.ts';
import { createProgress, type Progress } from './progress.ts';

/** A scheduled event as EventBridge delivers it to analyze. */
export const scheduledEvent = (now = new Date()) => ({
  version: '0',
  id: `tick-${now.getTime()}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: now.toISOString(),
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:000000000000:rule/kanari-dev-analyze'],
  detail: {},
});

/** Environment for the functions under osls offline: local AWS credentials, the table, the kubeconfig. */
export const localFunctionEnv = (options: {
  dynamoEndpoint: string;
  tableName: string;
  eventBus: string;
  kubeconfigPath: string;
  /** `KANARI_API_TOKENS`: `name=token` pairs. */
  apiTokens: string;
}): Record<string, string> => ({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
  KANARI_TABLE: options.tableName,
  KANARI_EVENT_BUS: options.eventBus,
  KUBECONFIG: options.kubeconfigPath,
  KANARI_API_TOKENS: options.apiTokens,
  // The sandbox invokes analyze every second, so intervals of a few seconds are honoured.
  KANARI_SCHEDULE_SECONDS: '1',
  // Powertools' Logger indents its JSON records, for a person reading offline.log (and its
  // Metrics write none).
  POWERTOOLS_DEV: 'true',
  // No X-Ray daemon here.
  POWERTOOLS_TRACE_ENABLED: 'false',
});

export interface ControlPlaneOptions {
  /** The kubeconfig the functions use; each of its contexts is a kanari cluster name. */
  kubeconfigPath: string;
  prometheusUrl: string;
  /** Where offline.log goes; the caller owns (and removes) it. */
  workDir: string;
  /** A DynamoDB Local that is already running (tests share one); default: start one. */
  dynamoEndpoint?: string;
  /** More environment for the functions (e.g. the alert webhook's secret). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** Start-up progress, one line per service; default: written to `log`. */
  progress?: Progress;
}

/** kanari itself, on this machine: its table, the handlers under osls offline, the schedule. */
export interface ControlPlane {
  apiUrl: string;
  apiToken: string;
  offline: Offline;
  dynamoEndpoint: string;
  tableName: string;
  /** Invokes the drift check (shift-traffic) and then analyze once, as their schedules would. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (unless given one) with a fresh table, then the functions under
 * osls offline, pointed at `kubeconfigPath` and `prometheusUrl`. Nothing here knows whether
 * the cluster and Prometheus are simulated or real.
 */
export const startControlPlane = async (options: ControlPlaneOptions): Promise<ControlPlane> => {
  const progress = options.progress ?? createProgress(options.log ?? (() => {}));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const one of stops.reverse()) await one().catch(() => {});
  };
  try {
    const tableName = `kanari-sandbox-${randomBytes(4).toString('hex')}`;
    const shared = options.dynamoEndpoint;
    // DynamoDB Local's port is chosen first, so the functions can start beside it: they only
    // need its address until the first request, which waits for both.
    const dynamoPort = shared ? undefined : await freePort();
    const dynamoEndpoint = shared ?? `http://127.0.0.1:${dynamoPort}`;
    const apiToken = randomBytes(16).toString('hex');
    const [dynamo, functions] = await Promise.allSettled([
      // Started (unless shared) and its table created: ready means kanari can write to it.
      progress.step(
        'DynamoDB Local',
        async () => {
          if (dynamoPort !== undefined) {
            const local = await startDynamoDbLocal({ port: dynamoPort });
            stops.push(local.stop);
          }
          await createTable({ endpoint: dynamoEndpoint, tableName });
        },
        () => (shared ? 'already running; new table' : ''),
      ),
      progress.step('Functions (osls offline)', async () => {
        const started = await startOffline({
          logFile: join(options.workDir, 'offline.log'),
          env: {
            ...localFunctionEnv({
              dynamoEndpoint,
              tableName,
              eventBus: 'kanari-sandbox',
              kubeconfigPath: options.kubeconfigPath,
              apiTokens: `sandbox-operator=${apiToken}`,
            }),
            PROMETHEUS_URL: options.prometheusUrl,
            KANARI_RESEND_AFTER_MS: '10000',
            ...options.env,
          },
        });
        stops.push(started.stop);
        return started;
      }),
    ]);
    // Either failing stops both (the catch below), once neither is still starting.
    if (dynamo.status === 'rejected') throw dynamo.reason;
    if (functions.status === 'rejected') throw functions.reason;
    const offline = functions.value;
    return {
      apiUrl: offline.httpUrl,
      apiToken,
      offline,
      dynamoEndpoint,
      tableName,
      tick: () =>
        offline
          .invoke('shift-traffic', scheduledEvent())
          .then(() => offline.invoke('analyze', scheduledEvent())),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
