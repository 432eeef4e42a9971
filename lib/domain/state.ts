import type { AnalysisState } from './analysis-state.ts';
import type { DriftRecord } from './drift.ts';
import type { Cause, DetailType } from './events.ts';
import type { CheckResult } from './judge.ts';
import { type Phase, SCHEDULED_PHASES } from './phase.ts';
import type { RolloutSpec } from './rollout-spec.ts';
import type { Weights } from './routes.ts';
import type { JsonPatchOperation } from './virtual-service.ts';

/** `finalize`: after Succeeded, all traffic back to the primary, which now runs the new version. */
export type TrafficAction = 'step' | 'promote' | 'rollback' | 'abort' | 'finalize';

/** A decision that was accepted but whose weights shift-traffic has not applied yet. */
export interface PendingDecision {
  decisionId: string;
  action: TrafficAction;
  detailType: DetailType;
  targetWeight: number;
  /** Plan position once applied (the plan's length means promoted). */
  stepIndex: number;
  basedOnVersion: number;
  requestedAt: string;
  cause: Cause;
  /** The phase the rollout reaches once the weights are applied. */
  onApplied: Phase;
  reason?: string;
  /**
   * Puts kanari's own last weights back over a drift (after resume, or `onDrift: reapply`):
   * the guarded patch applies it even though the cluster's weights differ from the ledger's.
   */
  reapply?: boolean;
  /**
   * When shift-traffic claimed the decision (a conditional write) just before its PATCH: from
   * then on the weights may land at any moment, so whoever supersedes it knows, and says so.
   */
  claimedAt?: string;
}

/** A rollout's current state. `version` grows by one on every write. */
export interface RolloutState {
  id: string;
  revision: number;
  version: number;
  phase: Phase;
  spec: RolloutSpec;
  canaryWeight: number;
  /** Position in the weight plan of the applied weight; -1 before the first step. */
  stepIndex: number;
  checks: number;
  failedChecks: number;
  pending?: PendingDecision;
  /**
   * A claimed step or promotion that a pause or a newer decision cancelled: its weights may
   * have landed (the PATCH was sent) while its record did not, so a delivery of it that comes
   * again still records what the cluster has. Cleared by the next applied weights.
   */
  cancelled?: PendingDecision;
  pausedFrom?: Phase;
  /** When the scheduler should next look at this rollout. */
  nextCheckAt: string;
  stepStartedAt: string;
  /**
   * Time in this step when checks saw no traffic on either side ("waiting for traffic"): it
   * moves the progress deadline out by as much. Reset when a step is applied or on resume.
   */
  quietMs?: number;
  /** The compare judge's accumulated counts and evidence; absent before the first check. */
  analysis?: AnalysisState;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** When a finalize moved all traffic back to the primary (Succeeded only). */
  finalizedAt?: string;
  /** Set while the cluster's weights differ from kanari's; cleared on resume. */
  drift?: DriftRecord;
  message: string;
}

/**
 * `update`: safe fields of the spec changed in flight (see lib/domain/spec-diff.ts).
 * `drift`: the cluster's weights were not the ones kanari last applied.
 * `resent`: a pending decision's event was published again (it may have been lost).
 */
export type LedgerKind =
  | 'start'
  | 'check'
  | 'action'
  | 'applied'
  | 'failed'
  | 'update'
  | 'drift'
  | 'resent';

/** One append-only ledger record. */
export interface LedgerEntry {
  rolloutId: string;
  revision: number;
  /** The state version this entry was written with. */
  stateVersion: number;
  at: string;
  kind: LedgerKind;
  phase: Phase;
  cause: Cause;
  decision?: {
    decisionId: string;
    action: TrafficAction | 'hold' | 'pause' | 'resume' | 'fail';
    fromWeight: number;
    targetWeight?: number;
  };
  check?: CheckResult;
  applied?: { weights: Weights; resourceVersion: string; patch: JsonPatchOperation[] };
  /** `update` entries: the spec's changed field paths. */
  changedFields?: string[];
  /** `drift` entries, and `applied` entries whose patch found weights other than the ledger's. */
  drift?: DriftRecord;
  message: string;
}

/**
 * Whether the scheduler looks at a rollout: in a scheduled phase, or with a decision pending in
 * any phase (a finalize after Succeeded), so that a decision whose event was lost is re-sent.
 */
export const isScheduledState = (state: RolloutState): boolean =>
  SCHEDULED_PHASES.includes(state.phase) || state.pending !== undefined;

/** Due for the scheduler at `now`: scheduled, with its next check at or before `now`. */
export const isDue = (state: RolloutState, now: Date): boolean =>
  isScheduledState(state) && Date.parse(state.nextCheckAt) <= now.getTime();
