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

/** Both sides carry the same weight. */
export const sameWeights = (a: Weights, b: Weights): boolean =>
  a.primary === b.primary && a.canary === b.canary;

/**
 * Whether the cluster's weights are not the ones kanari last applied. Before kanari applied
 * anything there is nothing to drift from.
 */
export const detectDrift = (lastApplied: Weights | undefined, observed: Weights): boolean =>
  lastApplied !== undefined && !sameWeights(lastApplied, observed);

/** `primary 90% · canary 10%`. */
export const describeWeights = (weights: Weights): string =>
  `primary ${weights.primary}% · canary ${weights.canary}%`;

/**
 * The ledger line for a drift:
 * `Drift: kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0% → paused (…)`.
 */
export const describeDrift = (drift: DriftRecord, alreadyPaused = false): string =>
  `Drift: kanari applied ${describeWeights(drift.applied)}, cluster has ${describeWeights(drift.observed)} → ${
    drift.action === 'reapply'
      ? "re-applying kanari's weights"
      : `${alreadyPaused ? 'kept paused' : 'paused'} (resume to re-apply kanari's weights)`
  }`;

/** `over drift: the cluster had primary 100% · canary 0%, not kanari's primary 90% · canary 10%`. */
export const overDrift = (drift: DriftRecord): string =>
  `over drift: the cluster had ${describeWeights(drift.observed)}, not kanari's ${describeWeights(drift.applied)}`;
