import type { DestinationRule } from '../domain/destination-rule.ts';
import type { VirtualService } from '../domain/virtual-service.ts';
import type { VirtualServiceRef } from './traffic-router.ts';

/**
 * Reads, never writes, the Istio objects of the configured clusters, for the checks made before
 * a rollout starts.
 *
 * Errors: `TrafficTargetNotFoundError` when the object (or its namespace) does not exist or the
 * cluster is not configured, `TrafficForbiddenError` (401/403); anything else (unreachable, a
 * timeout) is thrown as is.
 */
export interface ClusterReader {
  /** The names of the configured clusters (kubeconfig contexts and EKS clusters). */
  clusters(): string[];
  getVirtualService(ref: VirtualServiceRef): Promise<VirtualService>;
  /** Every DestinationRule in one namespace; empty when there are none. */
  listDestinationRules(cluster: string, namespace: string): Promise<DestinationRule[]>;
}
