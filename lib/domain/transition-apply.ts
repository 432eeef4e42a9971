import { overDrift } from './drift.ts';
import type { DetailType, KanariEvent } from './events.ts';
import { isTerminal, type Phase } from './phase.ts';
import type { PendingDecision, RolloutState } from './state.ts';
import { bump, detail, entryOf, later, refuse } from './transition-parts.ts';
import type { Context, Input, Outcome } from './transition-types.ts';

const pendingFor = (state: RolloutState, decisionId: string): PendingDecision | undefined =>
  state.pending?.decisionId === decisionId ? state.pending : undefined;

const notPending = (state: RolloutState, decisionId: string): Outcome =>
  refuse(state, `decision ${decisionId} is not the pending decision; it is stale or a duplicate`);

const TERMINAL_EVENT: Partial<Record<Phase, DetailType>> = {
  Succeeded: 'Rollout Succeeded',
  RolledBack: 'Rollout Rolled Back',
  Aborted: 'Rollout Rolled Back',
  Failed: 'Rollout Failed',
};

/** shift-traffic wrote the pending decision's weights. */
export const applied = (
  state: RolloutState,
  input: Extract<Input, { type: 'applied' }>,
  ctx: Context,
): Outcome => {
  const pending = pendingFor(state, input.decisionId);
  if (!pending) return notPending(state, input.decisionId);
  const phase = pending.onApplied;
  // Finalize leaves a Succeeded rollout Succeeded: it ends nothing and announces no new end.
  const finalizing = pending.action === 'finalize';
  // The drift this patch wrote over: the one it found, or the one a re-apply repairs.
  const drift = input.drift ?? (pending.reapply ? state.drift : undefined);
  const headline = finalizing
    ? `Finalized: primary ${input.weights.primary}% · canary ${input.weights.canary}%; the primary serves all traffic`
    : `${pending.reapply ? "Re-applied kanari's weights" : 'Applied'}: primary ${input.weights.primary}% · canary ${input.weights.canary}%${isTerminal(phase) ? ` → ${phase}` : ''}`;
  const message = drift ? `${headline} (${overDrift(drift)})` : headline;
  const next = bump(state, ctx.now, {
    phase,
    pending: undefined,
    cancelled: undefined,
    canaryWeight: input.weights.canary,
    stepIndex: pending.stepIndex,
    stepStartedAt: ctx.now.toISOString(),
    quietMs: undefined,
    drift: undefined,
    nextCheckAt: later(ctx.now, state.spec.analysis.interval),
    ...(isTerminal(phase) && !finalizing ? { finishedAt: ctx.now.toISOString() } : {}),
    ...(finalizing ? { finalizedAt: ctx.now.toISOString() } : {}),
    message,
  });
  const shifted = detail(state, pending.decisionId, pending.cause, {
    weights: input.weights,
    phase,
  });
  const events: KanariEvent[] = [];
  // A drift the patch found (not one already announced) is announced now.
  if (input.drift)
    events.push({
      detailType: 'Drift Detected',
      detail: { ...shifted, weights: input.drift.observed, drift: input.drift },
    });
  events.push({ detailType: 'Traffic Shifted', detail: shifted });
  const terminal = finalizing ? undefined : TERMINAL_EVENT[phase];
  if (terminal)
    events.push({
      detailType: terminal,
      detail: { ...shifted, ...(pending.reason ? { reason: pending.reason } : {}) },
    });
  return {
    ok: true,
    state: next,
    events,
    entry: entryOf(next, ctx.now, {
      kind: 'applied',
      cause: pending.cause,
      decision: {
        decisionId: pending.decisionId,
        action: pending.action,
        fromWeight: state.canaryWeight,
        targetWeight: pending.targetWeight,
      },
      applied: {
        weights: input.weights,
        resourceVersion: input.resourceVersion,
        patch: input.patch,
      },
      ...(drift ? { drift } : {}),
      message,
    }),
  };
};

/** shift-traffic cannot apply the pending decision (403/404, missing destination). */
export const applyFailed = (
  state: RolloutState,
  input: Extract<Input, { type: 'apply-failed' }>,
  ctx: Context,
): Outcome => {
  const pending = pendingFor(state, input.decisionId);
  if (!pending) return notPending(state, input.decisionId);
  if (pending.action === 'finalize') return finalizeFailed(state, pending, input.reason, ctx);
  const message = `Failed: could not apply ${pending.action} (${input.reason})`;
  const next = bump(state, ctx.now, {
    phase: 'Failed',
    pending: undefined,
    finishedAt: ctx.now.toISOString(),
    message,
  });
  return {
    ok: true,
    state: next,
    events: [
      {
        detailType: 'Rollout Failed',
        detail: detail(state, pending.decisionId, pending.cause, {
          phase: 'Failed',
          reason: input.reason,
        }),
      },
    ],
    entry: entryOf(next, ctx.now, {
      kind: 'failed',
      cause: pending.cause,
      decision: {
        decisionId: pending.decisionId,
        action: 'fail',
        fromWeight: state.canaryWeight,
        targetWeight: pending.targetWeight,
      },
      message,
    }),
  };
};

/** A finalize that cannot be applied leaves the release Succeeded, its canary holding the traffic. */
const finalizeFailed = (
  state: RolloutState,
  pending: PendingDecision,
  reason: string,
  ctx: Context,
): Outcome => {
  const message = `Finalize failed: could not move traffic back to the primary (${reason}); the canary still holds all traffic. Fix it, then finalize again`;
  const next = bump(state, ctx.now, { pending: undefined, message });
  return {
    ok: true,
    state: next,
    events: [],
    entry: entryOf(next, ctx.now, {
      kind: 'failed',
      cause: pending.cause,
      decision: {
        decisionId: pending.decisionId,
        action: 'fail',
        fromWeight: state.canaryWeight,
        targetWeight: pending.targetWeight,
      },
      message,
    }),
  };
};

/**
 * shift-traffic claims the pending decision just before its PATCH (a conditional write): a
 * rollback, abort or pause accepted after the claim knows those weights may still land. The
 * claimed state, the state itself if already claimed, or undefined if the decision is not pending.
 */
export const claim = (
  state: RolloutState,
  decisionId: string,
  now: Date,
): RolloutState | undefined => {
  const pending = pendingFor(state, decisionId);
  if (!pending) return undefined;
  if (pending.claimedAt) return state;
  return bump(state, now, { pending: { ...pending, claimedAt: now.toISOString() } });
};

/**
 * A claimed decision's weights landed under a newer pending decision (a rollback, a promotion):
 * the state takes them, so that whatever comes next starts from where traffic is, and keeps
 * the newer decision, which brings its own weights.
 */
const landedUnder = (
  state: RolloutState,
  pending: PendingDecision,
  input: Extract<Input, { type: 'landed' }>,
  ctx: Context,
): Outcome => {
  const { decision, weights } = input;
  const next = bump(state, ctx.now, {
    cancelled: undefined,
    canaryWeight: weights.canary,
    stepIndex: decision.stepIndex,
    stepStartedAt: ctx.now.toISOString(),
  });
  const message = `Applied: primary ${weights.primary}% · canary ${weights.canary}% (the ${decision.action} to ${decision.targetWeight}% was superseded while it was applied; the ${pending.action} to ${pending.targetWeight}% is pending)`;
  return {
    ok: true,
    state: next,
    events: [
      {
        detailType: 'Traffic Shifted',
        detail: detail(state, decision.decisionId, decision.cause, { weights, phase: state.phase }),
      },
    ],
    entry: entryOf(next, ctx.now, {
      kind: 'applied',
      cause: decision.cause,
      decision: {
        decisionId: decision.decisionId,
        action: decision.action,
        fromWeight: state.canaryWeight,
        targetWeight: decision.targetWeight,
      },
      applied: { weights, resourceVersion: input.resourceVersion, patch: input.patch },
      message,
    }),
  };
};

/**
 * A claimed decision's weights landed after a pause (or a pause and a resume) cancelled it, or
 * under a newer pending decision. The state takes the weights the cluster now has and keeps
 * its phase; a promotion that landed with nothing pending ends the rollout as any promotion does.
 */
export const landed = (
  state: RolloutState,
  input: Extract<Input, { type: 'landed' }>,
  ctx: Context,
): Outcome => {
  if (state.revision !== input.revision)
    return refuse(state, `revision ${input.revision} is no longer the rollout's revision`);
  if (isTerminal(state.phase)) return refuse(state, `rollout is ${state.phase}`);
  if (state.pending) return landedUnder(state, state.pending, input, ctx);
  const out = applied(
    { ...state, pending: input.decision },
    {
      type: 'applied',
      decisionId: input.decision.decisionId,
      weights: input.weights,
      resourceVersion: input.resourceVersion,
      patch: input.patch,
    },
    ctx,
  );
  if (!out.ok) return out;
  if (isTerminal(out.state.phase))
    return { ...out, state: { ...out.state, pausedFrom: undefined } };
  const { action, targetWeight } = input.decision;
  const message = `${state.phase} at ${input.weights.canary}%: the ${action} to ${targetWeight}% was already being applied when it was cancelled`;
  const next: RolloutState = {
    ...out.state,
    phase: state.phase,
    pausedFrom: state.pausedFrom,
    ...(state.phase === 'Paused' ? { nextCheckAt: state.nextCheckAt } : {}),
    message,
  };
  return { ...out, state: next, entry: { ...out.entry, phase: next.phase, message } };
};
