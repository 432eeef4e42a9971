import type { Weights } from './routes.ts';

/** What kanari does when the cluster's weights are not the ones it last applied. */
export type DriftAction = 'pause' | 'reapply';

/**
 * The VirtualService's weights differ from the last weights the ledger says kanari applied:
 * someone (or something) else edited the route.
 */
export interface DriftRecord {
  /** The weights kanari last applied (from the ledger's last `applied` entry). */
  applied: Weights;
  /** The weights the cluster has now. */
  observed: Weights;
  /** When kanari noticed. */
  detectedAt: string;
  /** What kanari did about it. */
  action: DriftAction;
  /** The VirtualService's resourceVersion when the drift was seen. */
  resourceVersion?: string;
}
