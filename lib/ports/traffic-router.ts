import type { JsonPatchOperation, VirtualService } from '../domain/virtual-service.ts';

/** Where a VirtualService lives. `cluster` names a kubeconfig context. */
export interface VirtualServiceRef {
  cluster: string;
  namespace: string;
  name: string;
}

/**
 * Reads and patches Istio VirtualServices. Only shift-traffic holds one.
 *
 * Errors: `TrafficConflictError` when the guarded patch's test op fails or the object
 * changed underneath (409/422), `TrafficTargetNotFoundError` (404),
 * `TrafficForbiddenError` (401/403). Anything else is thrown as is and is retryable.
 */
export interface TrafficRouter {
  getVirtualService(ref: VirtualServiceRef): Promise<VirtualService>;
  /**
   * Applies `ops` as one JSON patch. The adapter prepends a `test` op on
   * `/metadata/resourceVersion` equal to `expectedResourceVersion`, so a concurrent writer
   * makes the patch fail instead of being overwritten. Returns the object as stored.
   */
  patchVirtualService(
    ref: VirtualServiceRef,
    expectedResourceVersion: string,
    ops: JsonPatchOperation[],
  ): Promise<VirtualService>;
}
