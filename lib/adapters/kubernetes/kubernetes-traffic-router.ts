import type { JsonPatchOperation, VirtualService } from '../../domain/virtual-service.ts';
import { TrafficTargetNotFoundError } from '../../ports/errors.ts';
import type { TrafficRouter, VirtualServiceRef } from '../../ports/traffic-router.ts';
import type { RetryPolicy } from '../retry.ts';
import type { KubeConfig } from './kube-config.ts';
import { type KubeClient, kubeClient } from './kube-http.ts';
import { kubeRequest } from './map-error.ts';

export interface KubernetesTrafficRouterOptions {
  /** One KubeConfig per cluster name, the `cluster` of a VirtualServiceRef. */
  kubeConfigs: Record<string, KubeConfig>;
  /** The networking.istio.io version to read and patch through. Defaults to v1. */
  version?: string;
  /** Bound on each API request, so a hung apiserver fails the call. Defaults to 5 s. */
  timeoutMs?: number;
  /** Retries of a request that timed out, lost its connection or got a 5xx or 429. */
  retry?: RetryPolicy;
}

const GROUP = 'networking.istio.io';
const PLURAL = 'virtualservices';
const DEFAULT_VERSION = 'v1';
const DEFAULT_TIMEOUT_MS = 5_000;

// One client per KubeConfig, shared by the router and the reader: one pool of connections.
const clients = new WeakMap<KubeConfig, KubeClient>();

/** The client of a cluster, made on first use and kept, so its connections are reused. */
export const clientsOf =
  (kubeConfigs: Record<string, KubeConfig>) =>
  (cluster: string): KubeClient => {
    const kc = Object.hasOwn(kubeConfigs, cluster) ? kubeConfigs[cluster] : undefined;
    if (!kc) throw new TrafficTargetNotFoundError(`no kubeconfig for cluster "${cluster}"`);
    let client = clients.get(kc);
    if (!client) {
      client = kubeClient(kc);
      clients.set(kc, client);
    }
    return client;
  };

/** The path of a namespaced Istio networking resource (or of their list, without `name`). */
export const istioPath = (version: string, namespace: string, plural: string, name?: string) =>
  `/apis/${GROUP}/${encodeURIComponent(version)}/namespaces/${encodeURIComponent(namespace)}/${plural}${
    name === undefined ? '' : `/${encodeURIComponent(name)}`
  }`;

/** A TrafficRouter that reads and patches Istio VirtualServices through the Kubernetes API. */
export function createKubernetesTrafficRouter(opts: KubernetesTrafficRouterOptions): TrafficRouter {
  const version = opts.version ?? DEFAULT_VERSION;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clientFor = clientsOf(opts.kubeConfigs);
  const describe = (verb: string, ref: VirtualServiceRef) =>
    `${verb} VirtualService ${ref.namespace}/${ref.name} in cluster "${ref.cluster}"`;
  const path = (ref: VirtualServiceRef) => istioPath(version, ref.namespace, PLURAL, ref.name);

  return {
    async getVirtualService(ref) {
      const client = clientFor(ref.cluster);
      const what = describe('get', ref);
      const body = await kubeRequest(what, opts.retry, () =>
        client({ method: 'GET', path: path(ref), timeoutMs }),
      );
      return asVirtualService(body, what);
    },

    async patchVirtualService(ref, expectedResourceVersion, ops) {
      const client = clientFor(ref.cluster);
      const what = describe('patch', ref);
      const body: JsonPatchOperation[] = [
        { op: 'test', path: '/metadata/resourceVersion', value: expectedResourceVersion },
        ...ops,
      ];
      const written = await kubeRequest(what, opts.retry, () =>
        client({
          method: 'PATCH',
          path: path(ref),
          body,
          contentType: 'application/json-patch+json',
          timeoutMs,
        }),
      );
      return asVirtualService(written, what);
    },
  };
}

/** The apiserver's answer, checked for the fields kanari relies on before it is trusted. */
function asVirtualService(body: unknown, what: string): VirtualService {
  const vs = body as Partial<VirtualService> | null;
  const ok =
    vs?.kind === 'VirtualService' &&
    typeof vs.metadata?.name === 'string' &&
    typeof vs.metadata.resourceVersion === 'string' &&
    typeof vs.spec === 'object' &&
    vs.spec !== null;
  if (!ok)
    throw new Error(`${what}: the Kubernetes API returned something that is not a VirtualService`);
  return vs as VirtualService;
}
