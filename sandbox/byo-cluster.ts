import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  createKubernetesTrafficRouter,
  type KubeConfig,
  type KubeConfigFile,
  readKubeConfigFile,
} from '../lib/adapters/kubernetes/index.ts';
import { createPrometheusMetricsProvider } from '../lib/adapters/prometheus/index.ts';
import type { RolloutTarget } from '../lib/domain/rollout-spec.ts';
import { currentWeights, type Weights } from '../lib/domain/routes.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import type { Progress } from './progress.ts';

/** An input of the bring-your-own-cluster sandbox is wrong; the message names the option. */
export class ByoInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ByoInputError';
  }
}

/** One context of a user's kubeconfig, alone: it becomes the kanari cluster of the same name. */
export interface ChosenContext {
  /** The context's name, which is the kanari cluster name. */
  name: string;
  server: string;
  kubeConfig: KubeConfig;
  /** A kubeconfig of this context alone, its cluster and its user, for the functions. */
  kubeconfigYaml: string;
}

/**
 * Loads `file` and keeps only `context` (default: its current-context), with that context's
 * cluster and user. Relative certificate paths are resolved against the file's folder.
 */
export const chooseContext = (file: string, context?: string): ChosenContext => {
  if (!existsSync(file)) throw new ByoInputError(`--kubeconfig: ${file} does not exist`);
  let all: KubeConfigFile;
  try {
    all = readKubeConfigFile(file);
  } catch (error) {
    throw new ByoInputError(
      `--kubeconfig: ${file} is not a kubeconfig: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const known = all.contexts;
  const name = context ?? all.currentContext;
  if (!name)
    throw new ByoInputError(
      `--context: ${file} has no current-context; pick one of ${known.join(', ') || '(none)'}`,
    );
  if (!known.includes(name))
    throw new ByoInputError(
      `--context: no context "${name}" in ${file}; it has ${known.join(', ') || 'none'}`,
    );
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = all.context(name);
  } catch (error) {
    throw new ByoInputError(`--context: ${(error as Error).message}`, { cause: error });
  }
  return {
    name,
    server: kubeConfig.server,
    kubeConfig,
    kubeconfigYaml: stringify(all.exportContext(name)),
  };
};

/** Refuses anything but an http(s) URL, then asks Prometheus a trivial query. */
export const checkPrometheus = async (url: string): Promise<void> => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol))
    throw new ByoInputError(
      `--prometheus: "${url}" is not an http(s) URL such as http://localhost:9090`,
    );
  try {
    await createPrometheusMetricsProvider({ url, timeoutMs: 5_000 }).runQuery('1');
  } catch (error) {
    throw new ByoInputError(`--prometheus: ${url} does not answer: ${(error as Error).message}`, {
      cause: error,
    });
  }
};

export interface ByoStackOptions {
  context: ChosenContext;
  prometheusUrl: string;
  dynamoEndpoint?: string;
  log?: (line: string) => void;
  /** Start-up progress, one line per service; default: written to `log`. */
  progress?: Progress;
}

/** The local control plane in front of a user's cluster and Prometheus. */
export interface ByoStack extends ControlPlane {
  /** The kanari cluster name: the kubeconfig context's name. */
  cluster: string;
  /** The one-context kubeconfig the functions read. */
  kubeconfigPath: string;
  workDir: string;
  /** The target's weights as the cluster holds them now, read through the kubeconfig. */
  weights(target: RolloutTarget): Promise<Weights>;
}

/** Writes the chosen context alone as the functions' KUBECONFIG and starts the control plane. */
export const startByoStack = async (options: ByoStackOptions): Promise<ByoStack> => {
  const workDir = await mkdtemp(join(tmpdir(), 'kanari-sandbox-'));
  try {
    const kubeconfigPath = join(workDir, 'kubeconfig');
    await writeFile(kubeconfigPath, options.context.kubeconfigYaml, { mode: 0o600 });
    const control = await startControlPlane({
      kubeconfigPath,
      prometheusUrl: options.prometheusUrl,
      workDir,
      ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
    });
    const cluster = options.context.name;
    const router = createKubernetesTrafficRouter({
      kubeConfigs: { [cluster]: options.context.kubeConfig },
    });
    return {
      ...control,
      cluster,
      kubeconfigPath,
      workDir,
      weights: async (target) =>
        currentWeights(
          await router.getVirtualService({
            cluster: target.cluster,
            namespace: target.namespace,
            name: target.virtualService,
          }),
          target,
        ),
      stop: async () => {
        await control.stop();
        await rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
};
