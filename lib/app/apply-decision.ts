import type { EventDetail } from '../domain/events.ts';
import {
  annotationPatch,
  currentWeights,
  progressPatch,
  rollbackPatch,
  VirtualServiceShapeError,
} from '../domain/routes.ts';
import type { LedgerEntry, PendingDecision, RolloutState } from '../domain/state.ts';
import { type Outcome, transition } from '../domain/transition.ts';
import type { VirtualService } from '../domain/virtual-service.ts';
import {
  RolloutVersionConflictError,
  TrafficConflictError,
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
} from '../ports/errors.ts';
import type { TrafficRouter, VirtualServiceRef } from '../ports/traffic-router.ts';
import type { CoreDeps } from './deps.ts';

export interface ApplyDeps extends CoreDeps {
  router: TrafficRouter;
  /** Guarded patches retried after a conflict, re-reading the object each time. */
  maxAttempts?: number;
}

export type ApplyOutcome =
  | { outcome: 'applied'; phase: string; weights: { primary: number; canary: number } }
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
  if (!isCurrent(loaded, detail)) {
    return {
      outcome: 'ignored',
      reason: `decision ${detail.decisionId} is not pending on ${detail.rolloutId}`,
    };
  }
  let state = loaded;
  const { target } = state.spec;
  const ref: VirtualServiceRef = {
    cluster: target.cluster,
    namespace: target.namespace,
    name: target.virtualService,
  };
  const attempts = deps.maxAttempts ?? 5;
  let patched: { vs: VirtualService; patch: LedgerEntry['applied'] } | undefined;
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
      if (!(error instanceof TrafficConflictError) || attempt >= attempts) throw error;
    }
  }
  const applied = patched.patch as NonNullable<LedgerEntry['applied']>;
  return record(deps, state, detail, applied);
};

const record = async (
  deps: ApplyDeps,
  state: RolloutState,
  detail: EventDetail,
  applied: NonNullable<LedgerEntry['applied']>,
): Promise<ApplyOutcome> => {
  const outcome = transition(
    state,
    { type: 'applied', decisionId: detail.decisionId, ...applied },
    { now: deps.now(), decisionId: detail.decisionId },
  );
  if (!outcome.ok) return { outcome: 'ignored', reason: outcome.message };
  try {
    await commit(deps, outcome);
  } catch (error) {
    if (!(error instanceof RolloutVersionConflictError)) throw error;
    // A duplicate delivery that found the weights already in place wrote nothing: nothing to record.
    if (applied.patch.length === 0) {
      return {
        outcome: 'ignored',
        reason: `decision ${detail.decisionId} was applied by another delivery`,
      };
    }
    // Someone decided something else while we patched. The weights are written all the same,
    // so the ledger must say so; the newer decision brings its own patch.
    await deps.store.append([
      {
        ...outcome.entry,
        message: `${outcome.entry.message} (the decision was superseded while it was applied)`,
      },
    ]);
    return { outcome: 'applied', phase: 'superseded', weights: applied.weights };
  }
  return { outcome: 'applied', phase: outcome.state.phase, weights: applied.weights };
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
