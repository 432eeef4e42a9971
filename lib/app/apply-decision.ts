import { type DriftRecord, sameWeights } from '../domain/drift.ts';
import type { EventDetail } from '../domain/events.ts';
import { destinationRuleProblems } from '../domain/preflight.ts';
import {
  annotationPatch,
  currentWeights,
  progressPatch,
  rollbackPatch,
  VirtualServiceShapeError,
  type Weights,
} from '../domain/routes.ts';
import type { LedgerEntry, PendingDecision, RolloutState } from '../domain/state.ts';
import { claim, transition } from '../domain/transition.ts';
import type { VirtualService } from '../domain/virtual-service.ts';
import type { ClusterReader } from '../ports/cluster-reader.ts';
import {
  RolloutVersionConflictError,
  TrafficConflictError,
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
} from '../ports/errors.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import type { CoreDeps } from './deps.ts';
import { appliedIfDrifted } from './last-applied.ts';
import { destinationRulesFor } from './preflight.ts';
import {
  commit,
  fail,
  isCurrent,
  record,
  recordCancelled,
  refOf,
  targetWeights,
} from './record-applied.ts';

export interface ApplyDeps extends CoreDeps {
  router: TrafficRouter;
  /** Guarded patches retried after a conflict, re-reading the object each time. */
  maxAttempts?: number;
  /**
   * Reads the DestinationRules that define the spec's subsets: a step or promotion toward a
   * subset no rule defines is refused (make before break). Without it, nothing is checked.
   */
  rules?: Pick<ClusterReader, 'listDestinationRules'>;
}

export type ApplyOutcome =
  | { outcome: 'applied'; phase: string; weights: { primary: number; canary: number } }
  /** The cluster's weights were not kanari's: nothing was patched, the rollout paused. */
  | { outcome: 'drift'; phase: string; observed: Weights }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'ignored'; reason: string };

/** Errors after which retrying cannot help: the rollout fails instead. */
const PERMANENT = [VirtualServiceShapeError, TrafficTargetNotFoundError, TrafficForbiddenError];

/**
 * Applies a traffic decision to the VirtualService (the only writer of weights), then records
 * what was applied. A decision that is not the rollout's pending one (stale, superseded or a
 * duplicate delivery) changes nothing.
 */
export const applyDecision = async (
  deps: ApplyDeps,
  detail: EventDetail,
): Promise<ApplyOutcome> => {
  const loaded = await deps.store.get(detail.rolloutId);
  if (wasCancelled(loaded, detail)) return recordCancelled(deps, loaded, detail);
  if (!isCurrent(loaded, detail)) {
    return {
      outcome: 'ignored',
      reason: `decision ${detail.decisionId} is not pending on ${detail.rolloutId}`,
    };
  }
  let state = loaded;
  const { target } = state.spec;
  const missing = await missingSubset(deps, state);
  if (missing) return fail(deps, state, missing);
  const ref = refOf(state);
  const attempts = deps.maxAttempts ?? 5;
  let patched: { vs: VirtualService; patch: LedgerEntry['applied'] } | undefined;
  let drift: DriftRecord | undefined;
  for (let attempt = 1; !patched; attempt++) {
    try {
      const vs = await deps.router.getVirtualService(ref);
      const { pending } = state;
      // Finalize is a step to 0: the managed route only, every other route left alone.
      const weightOps =
        pending.action === 'rollback' || pending.action === 'abort'
          ? rollbackPatch(vs, target)
          : progressPatch(vs, target, pending.targetWeight);
      // Whoever moves the weights says so, in the same guarded patch.
      const ops =
        weightOps.length > 0
          ? [...weightOps, ...annotationPatch(vs, { id: state.id, revision: state.revision })]
          : [];
      // Look once more just before writing: a rollback accepted meanwhile must win.
      const fresh = await deps.store.get(detail.rolloutId);
      if (!isCurrent(fresh, detail))
        return { outcome: 'ignored', reason: `decision ${detail.decisionId} was superseded` };
      state = fresh;
      drift = await driftUnder(deps, state, currentWeights(vs, target), vs);
      if (drift && holdsOnDrift(state)) return pauseOnDrift(deps, state, drift);
      // Claim the decision before the PATCH: whatever is accepted from now on knows these
      // weights may land, and whatever was accepted before wins (the claim's write fails).
      if (ops.length > 0) state = await claimed(deps, state, detail.decisionId);
      const written =
        ops.length > 0
          ? await deps.router.patchVirtualService(ref, vs.metadata.resourceVersion ?? '', ops)
          : vs;
      patched = {
        vs: written,
        patch: {
          weights: currentWeights(written, target),
          resourceVersion: written.metadata.resourceVersion ?? '',
          patch: ops,
        },
      };
    } catch (error) {
      if (PERMANENT.some((kind) => error instanceof kind))
        return fail(deps, state, (error as Error).message);
      const retried =
        error instanceof TrafficConflictError || error instanceof RolloutVersionConflictError;
      if (!retried || attempt >= attempts) throw error;
    }
  }
  const applied = patched.patch as NonNullable<LedgerEntry['applied']>;
  return record(deps, state, detail, applied, drift);
};

const claimed = async (
  deps: ApplyDeps,
  state: RolloutState & { pending: PendingDecision },
  decisionId: string,
): Promise<RolloutState & { pending: PendingDecision }> => {
  const next = claim(state, decisionId, deps.now());
  if (!next?.pending) throw new Error(`decision ${decisionId} is not pending on ${state.id}`);
  if (next !== state) await deps.store.commit(next, []);
  return next as RolloutState & { pending: PendingDecision };
};

/**
 * Why traffic may not move toward the canary yet: a subset it routes to that no DestinationRule
 * defines (Istio would answer 503 for that share). A rollback, abort or finalize goes ahead.
 */
const missingSubset = async (
  deps: ApplyDeps,
  state: RolloutState & { pending: PendingDecision },
): Promise<string | undefined> => {
  const forward = state.pending.action === 'step' || state.pending.action === 'promote';
  if (!forward || !deps.rules) return undefined;
  const problems = destinationRuleProblems(
    state.spec,
    await destinationRulesFor(deps.rules, state.spec),
  );
  if (problems.length === 0) return undefined;
  return `refused to shift traffic: ${problems.map((p) => p.message).join('; ')}`;
};

const wasCancelled = (
  state: RolloutState | undefined,
  detail: EventDetail,
): state is RolloutState & { cancelled: PendingDecision } =>
  state?.revision === detail.revision && state.cancelled?.decisionId === detail.decisionId;

/**
 * The drift this patch would write over: the cluster's weights are neither the ledger's last
 * applied ones nor already the decision's own (a duplicate delivery that found its weights in
 * place). A re-apply exists to write over a drift that is already recorded.
 */
const driftUnder = async (
  deps: ApplyDeps,
  state: RolloutState & { pending: PendingDecision },
  observed: Weights,
  vs: VirtualService,
): Promise<DriftRecord | undefined> => {
  if (state.pending.reapply || sameWeights(observed, targetWeights(state.pending)))
    return undefined;
  const applied = await appliedIfDrifted(deps.store, state, observed);
  if (!applied) return undefined;
  return {
    applied,
    observed,
    detectedAt: deps.now().toISOString(),
    action: holdsOnDrift(state) ? 'pause' : 'reapply',
    ...(vs.metadata.resourceVersion ? { resourceVersion: vs.metadata.resourceVersion } : {}),
  };
};

/**
 * A step or promotion does not write over weights someone else set, unless the rollout says
 * `onDrift: reapply` or the drift was already recorded (and shown) before this decision.
 * A rollback, abort or finalize is applied all the same: safety first.
 */
const holdsOnDrift = (state: RolloutState & { pending: PendingDecision }): boolean =>
  (state.pending.action === 'step' || state.pending.action === 'promote') &&
  !state.drift &&
  (state.spec.onDrift ?? 'pause') === 'pause';

const pauseOnDrift = async (
  deps: ApplyDeps,
  state: RolloutState,
  drift: DriftRecord,
): Promise<ApplyOutcome> => {
  const outcome = transition(
    state,
    {
      type: 'drift',
      applied: drift.applied,
      observed: drift.observed,
      ...(drift.resourceVersion ? { resourceVersion: drift.resourceVersion } : {}),
    },
    { now: deps.now(), decisionId: deps.newId() },
  );
  if (!outcome.ok) return { outcome: 'ignored', reason: outcome.message };
  try {
    await commit(deps, outcome);
  } catch (error) {
    if (!(error instanceof RolloutVersionConflictError)) throw error;
    return { outcome: 'ignored', reason: 'another writer changed the rollout first' };
  }
  return { outcome: 'drift', phase: outcome.state.phase, observed: drift.observed };
};
