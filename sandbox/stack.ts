import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RolloutTarget } from '../lib/domain/rollout-spec.ts';
import { currentWeights, type Weights } from '../lib/domain/routes.ts';
import type { VirtualService } from '../lib/domain/virtual-service.ts';
import { startAlerting } from './alerting.ts';
import type { RunningAlertmanager } from './alertmanager.ts';
import { createTable, startDynamoDbLocal } from './dynamodb-local.ts';
import { type KubeEmulator, startKubeEmulator } from './kube-emulator/index.ts';
import {
  type MeshSimulator,
  startMeshSimulator,
  type WorkloadBehaviour,
} from './mesh-simulator.ts';
import { type Offline, startOffline } from './offline.ts';
import {
  findBinary,
  PrometheusMissingError,
  type RunningPrometheus,
  startPrometheus,
} from './prometheus.ts';
import { SEED_VIRTUAL_SERVICE } from './seed.ts';

export const SANDBOX_CLUSTER = 'sandbox';
export const SEED_TARGET: RolloutTarget = {
  cluster: SANDBOX_CLUSTER,
  namespace: 'default',
  virtualService: 'my-service',
  primary: { host: 'my-service' },
  canary: { host: 'my-service-v2' },
};

export interface StackOptions {
  crdDir: string;
  primary: WorkloadBehaviour;
  canary: WorkloadBehaviour;
  requestsPerSecond: number;
  /** A DynamoDB Local that is already running (tests share one); default: start one. */
  dynamoEndpoint?: string;
  /** Path of the prometheus binary; default: found on PATH or in /usr/bin. */
  prometheusBinary?: string;
  /** Also run Alertmanager, with a rule on the canary's 5xx ratio, posting to the alerts webhook. */
  alertmanager?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  apiUrl: string;
  apiToken: string;
  emulator: KubeEmulator;
  mesh: MeshSimulator;
  prometheus: RunningPrometheus;
  alertmanager?: RunningAlertmanager;
  offline: Offline;
  dynamoEndpoint: string;
  tableName: string;
  workDir: string;
  /** The seed VirtualService as stored now. */
  virtualService(): VirtualService;
  weights(): Weights;
  /** Invokes analyze once, as the schedule would. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

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

/** The seed VirtualService as the emulator stores it now. */
export const storedSeedVirtualService = (emulator: KubeEmulator): VirtualService =>
  emulator.read(
    'networking.istio.io/v1',
    'VirtualService',
    'default',
    'my-service',
  ) as VirtualService;

/** Environment for the functions under osls offline: local AWS credentials, the table, the emulator. */
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
});

/** Brings up the whole loop on this machine; `stop()` tears it all down. */
export const startStack = async (options: StackOptions): Promise<Stack> => {
  const prometheusBinary = options.prometheusBinary ?? findBinary('prometheus');
  if (!prometheusBinary || !existsSync(prometheusBinary))
    throw new PrometheusMissingError(prometheusBinary ?? 'prometheus');
  const log = options.log ?? (() => {});
  const workDir = await mkdtemp(join(tmpdir(), 'kanari-sandbox-'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      log('starting DynamoDB Local');
      const dynamo = await startDynamoDbLocal();
      stops.push(dynamo.stop);
      dynamoEndpoint = dynamo.endpoint;
    }
    const tableName = `kanari-sandbox-${randomBytes(4).toString('hex')}`;
    await createTable({ endpoint: dynamoEndpoint, tableName });

    log('starting the Kubernetes API emulator');
    const emulator = await startKubeEmulator({ crdDir: options.crdDir });
    stops.push(emulator.stop);
    emulator.seed(SEED_VIRTUAL_SERVICE);
    const virtualService = () => storedSeedVirtualService(emulator);
    const weights = () => currentWeights(virtualService(), SEED_TARGET);

    log('starting the mesh simulator and Prometheus');
    const mesh = await startMeshSimulator({
      namespace: 'default',
      primary: { workload: 'my-service', behaviour: options.primary },
      canary: { workload: 'my-service-v2', behaviour: options.canary },
      requestsPerSecond: options.requestsPerSecond,
      readWeights: async () => weights(),
    });
    stops.push(mesh.stop);
    const alerting = options.alertmanager ? await startAlerting(workDir) : undefined;
    if (alerting) stops.push(alerting.alertmanager.stop);
    const prometheus = await startPrometheus({
      scrapeTargets: [new URL(mesh.metricsUrl).host],
      binary: prometheusBinary,
      ...alerting?.prometheus,
    });
    stops.push(prometheus.stop);

    log('starting the functions (osls offline)');
    const apiToken = randomBytes(16).toString('hex');
    const offline = await startOffline({
      logFile: join(workDir, 'offline.log'),
      env: {
        ...localFunctionEnv({
          dynamoEndpoint,
          tableName,
          eventBus: 'kanari-sandbox',
          kubeconfigPath: emulator.kubeconfigPath,
          apiTokens: `sandbox-operator=${apiToken}`,
        }),
        PROMETHEUS_URL: prometheus.url,
        KANARI_RESEND_AFTER_MS: '10000',
        ...alerting?.env,
      },
    });
    stops.push(offline.stop);
    await alerting?.connect(offline.httpUrl);

    return {
      apiUrl: offline.httpUrl,
      apiToken,
      emulator,
      mesh,
      prometheus,
      ...(alerting ? { alertmanager: alerting.alertmanager } : {}),
      offline,
      dynamoEndpoint,
      tableName,
      workDir,
      virtualService,
      weights,
      tick: () => offline.invoke('analyze', scheduledEvent()),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
