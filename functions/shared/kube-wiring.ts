import { existsSync } from 'node:fs';
import { endpointFromEnv } from '../../lib/adapters/aws-json.ts';
import { eksClusterEndpoint } from '../../lib/adapters/kubernetes/eks-cluster.ts';
import {
  createEksTokenProvider,
  createKubernetesClusterReader,
  createKubernetesTrafficRouter,
  defaultKubeConfigPath,
  eksKubeConfig,
  type KubeConfig,
  readKubeConfigFile,
} from '../../lib/adapters/kubernetes/index.ts';
import { NO_RETRY, type RetryPolicy } from '../../lib/adapters/retry.ts';
import type { ApplyDeps } from '../../lib/app/apply-decision.ts';
import type { ClusterReader } from '../../lib/ports/cluster-reader.ts';
import { config, core } from './wiring.ts';

/** The clusters that shift-traffic and the console's preflight reach. */

/** One KubeConfig per context of the kubeconfig file; a context's name is a kanari cluster name. */
const fileKubeConfigs = (): Record<string, KubeConfig> => {
  const hasEks = Object.keys(config.KANARI_EKS_CLUSTERS).length > 0;
  // serverless.yml defaults KUBECONFIG to a packaged file, which EKS-only deployments leave out.
  if (hasEks && (!config.KUBECONFIG || !existsSync(config.KUBECONFIG))) return {};
  const file = readKubeConfigFile(config.KUBECONFIG || defaultKubeConfigPath());
  return Object.fromEntries(file.contexts.map((name) => [name, file.context(name)]));
};

/** KUBECONFIG's contexts plus KANARI_EKS_CLUSTERS, whose IAM tokens are minted in process. */
const kubeConfigs = (): Record<string, KubeConfig> => {
  const configs = fileKubeConfigs();
  for (const [name, eks] of Object.entries(config.KANARI_EKS_CLUSTERS)) {
    if (Object.hasOwn(configs, name))
      throw new Error(
        `invalid configuration: cluster "${name}" is in both KUBECONFIG and KANARI_EKS_CLUSTERS`,
      );
    configs[name] = eksKubeConfig({
      name,
      endpoint:
        eks.server !== undefined && eks.caData !== undefined
          ? { server: eks.server, caData: eks.caData }
          : {
              lookup: eksClusterEndpoint(eks.eksClusterName, {
                region: eks.region,
                endpoint: endpointFromEnv(process.env, 'EKS'),
                // The Kubernetes request that needs it is retried as a whole (map-error.ts).
                retry: NO_RETRY,
              }),
            },
      tokenProvider: createEksTokenProvider({
        clusterName: eks.eksClusterName,
        region: eks.region,
      }),
    });
  }
  return configs;
};

export const applyDeps = (): ApplyDeps => {
  const configs = kubeConfigs();
  return {
    ...core(),
    router: createKubernetesTrafficRouter({ kubeConfigs: configs }),
    rules: createKubernetesClusterReader({ kubeConfigs: configs }),
  };
};

/** The clusters, read only. */
export const clusterReader = (retry?: RetryPolicy): ClusterReader =>
  createKubernetesClusterReader({ kubeConfigs: kubeConfigs(), ...(retry ? { retry } : {}) });
