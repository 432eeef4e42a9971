import { type DriftRecord, describeWeights } from './drift.ts';
import type { Cause } from './events.ts';
import type { LedgerEntry, RolloutState } from './state.ts';
import { reapplyDecision } from './transition-drift.ts';
import {
  bump,
  detail,
  entryOf,
  inFlight,
  keepClaimed,
  pendingEvent,
  refuse,
} from './transition-parts.ts';
import type { Context, Outcome } from './transition-types.ts';

const operatorEntry = (
  next: RolloutState,
  ctx: Context,
  cause: Cause,
  action: 'pause' | 'resume',
  message: string,
): LedgerEntry =>
  entryOf(next, ctx.now, {
    kind: 'action',
    cause,
    decision: { decisionId: ctx.decisionId, action, fromWeight: next.canaryWeight },
    message,
  });

export const pause = (state: RolloutState, cause: Cause, ctx: Context): Outcome => {
  if (!['Progressing', 'WaitingPromotion'].includes(state.phase))
    return refuse(state, `cannot pause a rollout that is ${state.phase}`);
  const note =
    inFlight(state.pending) ||
    (state.pending ? '; the pending step was cancelled' : inFlight(state.cancelled));
  const message = `Paused at ${state.canaryWeight}%${note}`;
  const next = bump(state, ctx.now, {
    phase: 'Paused',
    pausedFrom: state.phase,
    pending: undefined,
    ...keepClaimed(state),
    message,
  });
  return {
    ok: true,
    state: next,
    events: [{ detailType: 'Pause Requested', detail: detail(state, ctx.decisionId, cause) }],
    entry: operatorEntry(next, ctx, cause, 'pause', message),
  };
};

export const resume = (state: RolloutState, cause: Cause, ctx: Context): Outcome => {
  if (state.phase !== 'Paused')
    return refuse(state, `cannot resume a rollout that is ${state.phase}`);
  if (state.drift) return resumeOverDrift(state, state.drift, cause, ctx);
  const message = `Resumed at ${state.canaryWeight}%`;
  const next = bump(state, ctx.now, {
    phase: state.pausedFrom ?? 'Progressing',
    pausedFrom: undefined,
    nextCheckAt: ctx.now.toISOString(),
    stepStartedAt: ctx.now.toISOString(),
    quietMs: undefined,
    message,
  });
  return {
    ok: true,
    state: next,
    events: [{ detailType: 'Resume Requested', detail: detail(state, ctx.decisionId, cause) }],
    entry: operatorEntry(next, ctx, cause, 'resume', message),
  };
};

/**
 * Resuming a rollout paused by drift puts kanari's last weights back first: the drift is
 * cleared, and a re-apply decision (the same step, the same weight) goes to shift-traffic. The
 * rollout goes on from there as usual.
 */
const resumeOverDrift = (
  state: RolloutState,
  drift: DriftRecord,
  cause: Cause,
  ctx: Context,
): Outcome => {
  const message = `Resumed at ${state.canaryWeight}%: re-applying kanari's ${describeWeights(drift.applied)} over the cluster's ${describeWeights(drift.observed)}`;
  const next = bump(state, ctx.now, {
    phase: 'Progressing',
    pausedFrom: undefined,
    drift: undefined,
    pending: reapplyDecision(state, ctx, cause, state.pausedFrom ?? 'Progressing'),
    quietMs: undefined,
    message,
  });
  return {
    ok: true,
    state: next,
    events: [
      { detailType: 'Resume Requested', detail: detail(state, ctx.decisionId, cause) },
      pendingEvent(next),
    ],
    entry: operatorEntry(next, ctx, cause, 'resume', message),
  };
};
