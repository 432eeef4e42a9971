/**
 * Recording what a delivery of a traffic decision wrote: the ledger's `applied` (or `landed`)
 * entry under a versioned commit, retried when another writer moved first, and the failures
 * after which retrying cannot help. applyDecision (apply-decision.ts) does the patching.
 */
import type { DriftRecord } from '../domain/drift.ts';
import { sameWeights } from '../domain/drift.ts';
import type { EventDetail } from '../domain/events.ts';
import { currentWeights, type Weights } from '../domain/routes.ts';
import type { LedgerEntry, PendingDecision, RolloutState } from '../domain/state.ts';
import { type Outcome, transition } from '../domain/transition.ts';
import { RolloutVersionConflictError } from '../ports/errors.ts';
import type { VirtualServiceRef } from '../ports/traffic-router.ts';
import type { ApplyDeps, ApplyOutcome } from './apply-decision.ts';
import { wasApplied } from './last-applied.ts';

/** The decision of this delivery is the rollout's pending one. */
export const isCurrent = (
  state: RolloutState | undefined,
  detail: EventDetail,
): state is RolloutState & { pending: PendingDecision } =>
  state?.revision === detail.revision && state.pending?.decisionId === detail.decisionId;

export const refOf = (state: RolloutState): VirtualServiceRef => ({
  cluster: state.spec.target.cluster,
  namespace: state.spec.target.namespace,
  name: state.spec.target.virtualService,
});

/** The weights the pending decision writes. */
export const targetWeights = (pending: PendingDecision): Weights => {
  const canary =
    pending.action === 'rollback' || pending.action === 'abort' ? 0 : pending.targetWeight;
  return { primary: 100 - canary, canary };
};

/**
 * A delivery, again, of a claimed decision that a pause or a newer decision cancelled: its
 * first delivery may have written the weights and failed before recording them (a lost
 * answer, a throttled write). If the cluster has its weights and the state does not, they are
 * recorded now (`landed`); nothing is patched either way.
 */
export const recordCancelled = async (
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

export const record = async (
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

export const fail = async (
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

export const commit = async (
  deps: ApplyDeps,
  outcome: Extract<Outcome, { ok: true }>,
): Promise<void> => {
  await deps.store.commit(outcome.state, [outcome.entry]);
  await deps.bus.publish(outcome.events);
};
