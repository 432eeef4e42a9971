import type { DriftRecord } from './drift.ts';
import type { Cause, KanariEvent } from './events.ts';
import type { CheckResult } from './judge.ts';
import type { Phase } from './phase.ts';
import type { RolloutSpec } from './rollout-spec.ts';
import type { Weights } from './routes.ts';
import type { LedgerEntry, PendingDecision, RolloutState } from './state.ts';
import type { JsonPatchOperation } from './virtual-service.ts';

/** What can happen to a rollout. */
export type Input =
  | { type: 'start'; cause: Cause }
  | { type: 'check'; check: CheckResult }
  | { type: 'rollback'; cause: Cause; bakeWindowMs?: number }
  | { type: 'abort'; cause: Cause }
  | { type: 'pause'; cause: Cause }
  | { type: 'resume'; cause: Cause }
  | { type: 'promote'; cause: Cause; full: boolean }
  | { type: 'finalize'; cause: Cause }
  | { type: 'update-spec'; cause: Cause; spec: RolloutSpec; changed: string[]; summary: string }
  | {
      type: 'applied';
      decisionId: string;
      weights: Weights;
      resourceVersion: string;
      patch: JsonPatchOperation[];
      /** The patch found weights other than the ledger's and wrote over them (never silently). */
      drift?: DriftRecord;
    }
  | { type: 'apply-failed'; decisionId: string; reason: string }
  /**
   * A claimed decision's weights landed after a pause had cancelled it, or under a newer
   * pending decision: the state takes the weights the cluster now has, so that it says where
   * traffic is.
   */
  | {
      type: 'landed';
      revision: number;
      decision: PendingDecision;
      weights: Weights;
      resourceVersion: string;
      patch: JsonPatchOperation[];
    }
  /**
   * The VirtualService's weights as read now (`observed`, by the drift check or the guarded
   * patch) and the weights of the ledger's last `applied` entry (`applied`).
   */
  | { type: 'drift'; applied: Weights; observed: Weights; resourceVersion?: string };

/** What the caller supplies that the domain may not make up itself. */
export interface Context {
  now: Date;
  /** A fresh id, used when the input makes a new decision. */
  decisionId: string;
}

export type Outcome =
  | { ok: true; state: RolloutState; events: KanariEvent[]; entry: LedgerEntry }
  /** The input does not fit the phase (or is a duplicate); nothing changes. */
  | { ok: false; phase: Phase; message: string };
