import {
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { JsonPatchOperation, VirtualService } from '../../domain/virtual-service.ts';
import { TrafficTargetNotFoundError } from '../../ports/errors.ts';
import type { TrafficRouter, VirtualServiceRef } from '../../ports/traffic-router.ts';
import type { RetryPolicy } from '../retry.ts';
import { kubeRequest } from './map-error.ts';
import { withTimeout } from './timeout.ts';

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

/** A TrafficRouter that reads and patches Istio VirtualServices through the Kubernetes API. */
export function createKubernetesTrafficRouter(opts: KubernetesTrafficRouterOptions): TrafficRouter {
  const version = opts.version ?? DEFAULT_VERSION;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clients = new Map<string, CustomObjectsApi>();
  const clientFor = (ref: VirtualServiceRef): CustomObjectsApi => {
    let api = clients.get(ref.cluster);
    if (!api) {
      const kc = Object.hasOwn(opts.kubeConfigs, ref.cluster)
        ? opts.kubeConfigs[ref.cluster]
        : undefined;
      if (!kc) throw new TrafficTargetNotFoundError(`no kubeconfig for cluster "${ref.cluster}"`);
      api = kc.makeApiClient(CustomObjectsApi);
      clients.set(ref.cluster, api);
    }
    return api;
  };
  const describe = (verb: string, ref: VirtualServiceRef) =>
    `${verb} VirtualService ${ref.namespace}/${ref.name} in cluster "${ref.cluster}"`;
  const target = (ref: VirtualServiceRef) => ({
    group: GROUP,
    version,
    namespace: ref.namespace,
    plural: PLURAL,
    name: ref.name,
  });

  return {
    async getVirtualService(ref) {
      const api = clientFor(ref);
      const what = describe('get', ref);
      const body = await kubeRequest(what, opts.retry, () =>
        api.getNamespacedCustomObject(target(ref), withTimeout(timeoutMs)),
      );
      return asVirtualService(body, what);
    },

    async patchVirtualService(ref, expectedResourceVersion, ops) {
      const api = clientFor(ref);
      const what = describe('patch', ref);
      const body: JsonPatchOperation[] = [
        { op: 'test', path: '/metadata/resourceVersion', value: expectedResourceVersion },
        ...ops,
      ];
      // JSON patch is client-node 1.4's default for this call; say so rather than rely on it.
      const options = setHeaderOptions(
        'Content-Type',
        PatchStrategy.JsonPatch,
        withTimeout(timeoutMs),
      );
      const written = await kubeRequest(what, opts.retry, () =>
        api.patchNamespacedCustomObject({ ...target(ref), body }, options),
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
