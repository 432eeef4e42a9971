import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { DestinationRule } from '../../domain/destination-rule.ts';
import type { ClusterReader } from '../../ports/cluster-reader.ts';
import { TrafficTargetNotFoundError } from '../../ports/errors.ts';
import type { RetryPolicy } from '../retry.ts';
import { createKubernetesTrafficRouter } from './kubernetes-traffic-router.ts';
import { kubeRequest } from './map-error.ts';
import { withTimeout } from './timeout.ts';

export interface KubernetesClusterReaderOptions {
  /** One KubeConfig per cluster name. */
  kubeConfigs: Record<string, KubeConfig>;
  /** The networking.istio.io version to read through. Defaults to v1. */
  version?: string;
  /** Bound on each API request. Defaults to 5 s. */
  timeoutMs?: number;
  /** Retries of a request that timed out, lost its connection or got a 5xx or 429. */
  retry?: RetryPolicy;
}

/** A ClusterReader over the Kubernetes API: VirtualServices and DestinationRules, read only. */
export function createKubernetesClusterReader(opts: KubernetesClusterReaderOptions): ClusterReader {
  const version = opts.version ?? 'v1';
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const router = createKubernetesTrafficRouter(opts);
  return {
    clusters: () => Object.keys(opts.kubeConfigs),
    getVirtualService: (ref) => router.getVirtualService(ref),
    async listDestinationRules(cluster, namespace) {
      const kc = Object.hasOwn(opts.kubeConfigs, cluster) ? opts.kubeConfigs[cluster] : undefined;
      if (!kc) throw new TrafficTargetNotFoundError(`no kubeconfig for cluster "${cluster}"`);
      const what = `list DestinationRules in namespace ${namespace} of cluster "${cluster}"`;
      const list = (await kubeRequest(what, opts.retry, () =>
        kc
          .makeApiClient(CustomObjectsApi)
          .listNamespacedCustomObject(
            { group: 'networking.istio.io', version, namespace, plural: 'destinationrules' },
            withTimeout(timeoutMs),
          ),
      )) as { items?: unknown };
      if (!Array.isArray(list?.items))
        throw new Error(`${what}: the Kubernetes API returned something that is not a list`);
      return list.items as DestinationRule[];
    },
  };
}
