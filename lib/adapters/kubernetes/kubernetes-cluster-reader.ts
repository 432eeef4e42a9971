import type { DestinationRule } from '../../domain/destination-rule.ts';
import type { ClusterReader } from '../../ports/cluster-reader.ts';
import type { RetryPolicy } from '../retry.ts';
import type { KubeConfig } from './kube-config.ts';
import {
  clientsOf,
  createKubernetesTrafficRouter,
  istioPath,
} from './kubernetes-traffic-router.ts';
import { kubeRequest } from './map-error.ts';

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
  const clientFor = clientsOf(opts.kubeConfigs);
  return {
    clusters: () => Object.keys(opts.kubeConfigs),
    getVirtualService: (ref) => router.getVirtualService(ref),
    async listDestinationRules(cluster, namespace) {
      const client = clientFor(cluster);
      const what = `list DestinationRules in namespace ${namespace} of cluster "${cluster}"`;
      const list = (await kubeRequest(what, opts.retry, () =>
        client({
          method: 'GET',
          path: istioPath(version, namespace, 'destinationrules'),
          timeoutMs,
        }),
      )) as { items?: unknown };
      if (!Array.isArray(list?.items))
        throw new Error(`${what}: the Kubernetes API returned something that is not a list`);
      return list.items as DestinationRule[];
    },
  };
}
