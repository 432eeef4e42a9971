import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RolloutTarget } from '../lib/domain/rollout-spec.ts';
import { currentWeights, type Weights } from '../lib/domain/routes.ts';
import type { VirtualService } from '../lib/domain/virtual-service.ts';
import { startAlerting } from './alerting.ts';
import type { RunningAlertmanager } from './alertmanager.ts';
import { startControlPlane } from './control-plane.ts';
import { type KubeEmulator, startKubeEmulator } from './kube-emulator/index.ts';
import {
  type MeshSimulator,
  startMeshSimulator,
  type WorkloadBehaviour,
} from './mesh-simulator.ts';
import type { Offline } from './offline.ts';
import { createProgress, type Progress } from './progress.ts';
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
  /** CRD files for the emulator (`--crds`); default: its built-in Istio types. */
  crdDir?: string;
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
  /** Start-up progress, one line per service; default: written to `log`. */
  progress?: Progress;
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

/** The seed VirtualService as the emulator stores it now. */
export const storedSeedVirtualService = (emulator: KubeEmulator): VirtualService =>
  emulator.read(
    'networking.istio.io/v1',
    'VirtualService',
    'default',
    'my-service',
  ) as VirtualService;

// bench/ and the tests import these from the stack, where they were first written.
export { localFunctionEnv, scheduledEvent } from './control-plane.ts';

/** Brings up the whole loop on this machine; `stop()` tears it all down. */
export const startStack = async (options: StackOptions): Promise<Stack> => {
  const prometheusBinary = options.prometheusBinary ?? findBinary('prometheus');
  if (!prometheusBinary || !existsSync(prometheusBinary))
    throw new PrometheusMissingError(prometheusBinary ?? 'prometheus');
  const progress = options.progress ?? createProgress(options.log ?? (() => {}));
  const workDir = await mkdtemp(join(tmpdir(), 'kanari-sandbox-'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const emulator = await progress.step('Kubernetes API emulator', () =>
      startKubeEmulator(options.crdDir === undefined ? {} : { crdDir: options.crdDir }),
    );
    stops.push(emulator.stop);
    emulator.seed(SEED_VIRTUAL_SERVICE);
    const virtualService = () => storedSeedVirtualService(emulator);
    const weights = () => currentWeights(virtualService(), SEED_TARGET);

    const mesh = await progress.step('Mesh simulator', () =>
      startMeshSimulator({
        namespace: 'default',
        primary: { workload: 'my-service', behaviour: options.primary },
        canary: { workload: 'my-service-v2', behaviour: options.canary },
        requestsPerSecond: options.requestsPerSecond,
        readWeights: async () => weights(),
      }),
    );
    stops.push(mesh.stop);
    const alerting = options.alertmanager
      ? await progress.step('Alertmanager', () => startAlerting(workDir))
      : undefined;
    if (alerting) stops.push(alerting.alertmanager.stop);
    const prometheus = await progress.step('Prometheus', () =>
      startPrometheus({
        scrapeTargets: [new URL(mesh.metricsUrl).host],
        binary: prometheusBinary,
        ...alerting?.prometheus,
      }),
    );
    stops.push(prometheus.stop);

    const control = await startControlPlane({
      kubeconfigPath: emulator.kubeconfigPath,
      prometheusUrl: prometheus.url,
      workDir,
      ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
      ...(alerting ? { env: alerting.env } : {}),
      progress,
    });
    stops.push(control.stop);
    const { offline } = control;
    await alerting?.connect(offline.httpUrl);

    return {
      apiUrl: control.apiUrl,
      apiToken: control.apiToken,
      emulator,
      mesh,
      prometheus,
      ...(alerting ? { alertmanager: alerting.alertmanager } : {}),
      offline,
      dynamoEndpoint: control.dynamoEndpoint,
      tableName: control.tableName,
      workDir,
      virtualService,
      weights,
      tick: control.tick,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
