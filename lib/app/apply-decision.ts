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
import { claim, type Outcome, transition } from '../domain/transition.ts';
import type { VirtualService } from '../domain/virtual-service.ts';
import type { ClusterReader } from '../ports/cluster-reader.ts';
import {
  RolloutVersionConflictError,
  TrafficConflictError,
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
} from '../ports/errors.ts';
import type { TrafficRouter, VirtualServiceRef } from '../ports/traffic-router.ts';
import type { CoreDeps } from './deps.ts';
import { appliedIfDrifted, wasApplied } from './last-applied.ts';
import { destinationRulesFor } from './preflight.ts';

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

const isCurrent = (
  state: RolloutState | undefined,
  detail: EventDetail,
): state is RolloutState & { pending: PendingDecision } =>
  state?.revision === detail.revision && state.pending?.decisionId === detail.decisionId;

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

const refOf = (state: RolloutState): VirtualServiceRef => ({
  cluster: state.spec.target.cluster,
  namespace: state.spec.target.namespace,
  name: state.spec.target.virtualService,
});

const wasCancelled = (
  state: RolloutState | undefined,
  detail: EventDetail,
): state is RolloutState & { cancelled: PendingDecision } =>
  state?.revision === detail.revision && state.cancelled?.decisionId === detail.decisionId;

/**
 * A delivery, again, of a claimed decision that a pause or a newer decision cancelled: its
 * first delivery may have written the weights and failed before recording them (a lost
 * answer, a throttled write). If the cluster has its weights and the state does not, they are
 * recorded now (`landed`); nothing is patched either way.
 */
const recordCancelled = async (
  deps: ApplyDeps,
  state: RolloutState & { cancelled: PendingDecision },
  detail: EventDetail,
): Promise<ApplyOutcome> => {
  const vs = await deps.router.getVirtualService(refOf(state));
  const weights = currentWeights(vs, state.spec.target);
  if (
    !sameWeights(weights, targetWeights(state.cancelled)) ||
    weights.canary === state.canaryWeight
  )
    return { outcome: 'ignored', reason: `decision ${detail.decisionId} was cancelled` };
  const outcome = transition(
    state,
    {
      type: 'landed',
      revision: detail.revision,
      decision: state.cancelled,
      weights,
      resourceVersion: vs.metadata.resourceVersion ?? '',
      patch: [],
    },
    { now: deps.now(), decisionId: detail.decisionId },
  );
  if (!outcome.ok) return { outcome: 'ignored', reason: outcome.message };
  // A version conflict is thrown: the delivery is tried again, on the state as it is then.
  await commit(deps, outcome);
  return { outcome: 'applied', phase: outcome.state.phase, weights };
};

/** The weights the pending decision writes. */
const targetWeights = (pending: PendingDecision): Weights => {
  const canary =
    pending.action === 'rollback' || pending.action === 'abort' ? 0 : pending.targetWeight;
  return { primary: 100 - canary, canary };
};

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

const record = async (
  deps: ApplyDeps,
  state: RolloutState & { pending: PendingDecision },
  detail: EventDetail,
  applied: NonNullable<LedgerEntry['applied']>,
  drift: DriftRecord | undefined,
): Promise<ApplyOutcome> => {
  const attempts = deps.maxAttempts ?? 5;
  const decision = state.pending;
  let current: RolloutState | undefined = state;
  for (let attempt = 1; ; attempt++) {
    const outcome = recordOutcome(current, detail, decision, applied, drift, deps);
    if (!outcome?.ok) break;
    try {
      await commit(deps, outcome);
      return { outcome: 'applied', phase: outcome.state.phase, weights: applied.weights };
    } catch (error) {
      if (!(error instanceof RolloutVersionConflictError)) throw error;
    }
    // A duplicate delivery that found the weights already in place wrote nothing, and one
    // that wrote them while another delivery recorded the decision has nothing to add.
    if (applied.patch.length === 0 || (await wasApplied(deps.store, state, detail.decisionId))) {
      return {
        outcome: 'ignored',
        reason: `decision ${detail.decisionId} was applied by another delivery`,
      };
    }
    if (attempt >= attempts) break;
    current = await deps.store.get(detail.rolloutId);
  }
  // Someone decided something else while we patched (a rollback, say). The weights are written
  // all the same, so the ledger must say so; the newer decision brings its own patch.
  const entry = transition(
    state,
    { type: 'applied', decisionId: detail.decisionId, ...applied, ...(drift ? { drift } : {}) },
    { now: deps.now(), decisionId: detail.decisionId },
  );
  if (!entry.ok) return { outcome: 'ignored', reason: entry.message };
  await deps.store.append([
    {
      ...entry.entry,
      message: `${entry.entry.message} (the decision was superseded while it was applied)`,
    },
  ]);
  return { outcome: 'applied', phase: 'superseded', weights: applied.weights };
};

/**
 * The record of weights that landed: `applied` while the decision is still pending; `landed`
 * when a pause cancelled it after its claim (the state takes the weights the cluster has).
 */
const recordOutcome = (
  state: RolloutState | undefined,
  detail: EventDetail,
  decision: PendingDecision,
  applied: NonNullable<LedgerEntry['applied']>,
  drift: DriftRecord | undefined,
  deps: ApplyDeps,
): Outcome | undefined => {
  if (!state) return undefined;
  const ctx = { now: deps.now(), decisionId: detail.decisionId };
  if (isCurrent(state, detail))
    return transition(
      state,
      { type: 'applied', decisionId: detail.decisionId, ...applied, ...(drift ? { drift } : {}) },
      ctx,
    );
  return transition(
    state,
    { type: 'landed', revision: detail.revision, decision, ...applied },
    ctx,
  );
};

const fail = async (
  deps: ApplyDeps,
  state: RolloutState,
  reason: string,
): Promise<ApplyOutcome> => {
  const decisionId = state.pending?.decisionId ?? '';
  const outcome = transition(
    state,
    { type: 'apply-failed', decisionId, reason },
    { now: deps.now(), decisionId },
  );
  if (outcome.ok) await commit(deps, outcome);
  return { outcome: 'failed', reason };
};

const commit = async (deps: ApplyDeps, outcome: Extract<Outcome, { ok: true }>): Promise<void> => {
  await deps.store.commit(outcome.state, [outcome.entry]);
  await deps.bus.publish(outcome.events);
};
