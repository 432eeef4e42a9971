import { durationMs } from './duration.ts';
import type { Cause, DetailType, EventDetail, KanariEvent } from './events.ts';
import type { CheckResult } from './judge.ts';
import type { Phase } from './phase.ts';
import type { LedgerEntry, PendingDecision, RolloutState, TrafficAction } from './state.ts';
import type { Context, Outcome } from './transition-types.ts';
import { nextWeight, weightPlan } from './weight-plan.ts';

// The building blocks every transition shares: versioning, event details, ledger entries,
// and accepting a traffic decision.

export const ACTIVE: readonly Phase[] = ['Pending', 'Progressing', 'Paused', 'WaitingPromotion'];

export const refuse = (state: RolloutState, message: string): Outcome => ({
  ok: false,
  phase: state.phase,
  message,
});

export const bump = (
  state: RolloutState,
  now: Date,
  changes: Partial<RolloutState>,
): RolloutState => ({
  ...state,
  ...changes,
  version: state.version + 1,
  updatedAt: now.toISOString(),
});

export const later = (now: Date, duration: string): string =>
  new Date(now.getTime() + durationMs(duration)).toISOString();

export const detail = (
  state: RolloutState,
  decisionId: string,
  cause: Cause,
  extra: Partial<EventDetail> = {},
): EventDetail => ({
  rolloutId: state.id,
  revision: state.revision,
  stateVersion: state.version,
  decisionId,
  cause,
  phase: state.phase,
  ...extra,
});

export const entryOf = (
  next: RolloutState,
  now: Date,
  fields: Omit<LedgerEntry, 'rolloutId' | 'revision' | 'stateVersion' | 'at' | 'phase'>,
): LedgerEntry => ({
  rolloutId: next.id,
  revision: next.revision,
  stateVersion: next.version,
  at: now.toISOString(),
  phase: next.phase,
  ...fields,
});

const DETAIL_TYPE: Record<TrafficAction, DetailType> = {
  step: 'Step Promotion Requested',
  promote: 'Rollout Promotion Requested',
  rollback: 'Rollback Requested',
  abort: 'Abort Requested',
  finalize: 'Finalize Requested',
};

/** Accepts a traffic decision: records it as pending and asks shift-traffic to apply it. */
export const decide = (
  state: RolloutState,
  ctx: Context,
  cause: Cause,
  requested: TrafficAction,
  kind: LedgerEntry['kind'],
  headline: string,
  check?: CheckResult,
  reason?: string,
  onRollback: Phase = 'RolledBack',
): Outcome => {
  const plan = weightPlan(state.spec.analysis);
  const step = requested === 'step' ? nextWeight(plan, state.stepIndex) : undefined;
  const action: TrafficAction = step?.promotion ? 'promote' : requested;
  const targetWeight =
    action === 'step' ? (step?.weight as number) : action === 'promote' ? 100 : 0;
  const backwards = action === 'rollback' || action === 'abort';
  const pending: PendingDecision = {
    decisionId: ctx.decisionId,
    action,
    detailType: DETAIL_TYPE[action],
    targetWeight,
    stepIndex:
      action === 'step' ? (step?.stepIndex as number) : backwards ? state.stepIndex : plan.length,
    basedOnVersion: state.version,
    requestedAt: ctx.now.toISOString(),
    cause,
    onApplied:
      action === 'abort'
        ? 'Aborted'
        : action === 'rollback'
          ? onRollback
          : action === 'promote'
            ? 'Succeeded'
            : 'Progressing',
    ...(reason ? { reason } : {}),
  };
  const message = `${headline}: ${describeAction(action, state.canaryWeight, targetWeight)}${reason ? ` (${reason})` : ''}${inFlight(state.pending) || inFlight(state.cancelled)}`;
  const next = bump(state, ctx.now, {
    phase: backwards ? 'RollingBack' : 'Progressing',
    pending,
    ...keepClaimed(state),
    pausedFrom: undefined,
    message,
  });
  const events: KanariEvent[] = [];
  if (kind === 'start')
    events.push({ detailType: 'Rollout Started', detail: detail(state, ctx.decisionId, cause) });
  events.push(pendingEvent(next));
  return {
    ok: true,
    state: next,
    events,
    entry: entryOf(next, ctx.now, {
      kind,
      cause,
      decision: {
        decisionId: ctx.decisionId,
        action,
        fromWeight: state.canaryWeight,
        targetWeight,
      },
      ...(check ? { check } : {}),
      message,
    }),
  };
};

/** A step or promotion: traffic moves towards the canary. */
export const isForward = (pending: PendingDecision | undefined): pending is PendingDecision =>
  pending?.action === 'step' || pending?.action === 'promote';

/**
 * Keeps a claimed step or promotion that is being superseded: it may have landed. (One that
 * was cancelled before stays cancelled.)
 */
export const keepClaimed = (state: RolloutState): Partial<RolloutState> =>
  state.pending?.claimedAt && isForward(state.pending) ? { cancelled: state.pending } : {};

/** What a new decision says of a claimed one it supersedes, whose weights may still land. */
export const inFlight = (pending: PendingDecision | undefined): string =>
  pending?.claimedAt && isForward(pending)
    ? `; the ${pending.action} to ${pending.targetWeight}% was already being applied and may land first`
    : '';

const describeAction = (action: TrafficAction, from: number, to: number): string =>
  action === 'rollback' || action === 'abort'
    ? `send all traffic back to the primary (canary ${from}% → 0%)`
    : action === 'promote'
      ? `promote the canary to 100% (from ${from}%)`
      : `move the canary from ${from}% to ${to}%`;

/** The event that asks for a state's pending decision; sent again if it went missing. */
export const pendingEvent = (state: RolloutState): KanariEvent => {
  const pending = state.pending;
  if (!pending) throw new Error(`rollout ${state.id} has no pending decision`);
  return {
    detailType: pending.detailType,
    detail: {
      rolloutId: state.id,
      revision: state.revision,
      stateVersion: pending.basedOnVersion,
      decisionId: pending.decisionId,
      cause: pending.cause,
      phase: state.phase,
      targetWeight: pending.targetWeight,
      ...(pending.reason ? { reason: pending.reason } : {}),
    },
  };
};

/**
 * The pending decision's event, published again because it was not applied in time (its
 * event may have been lost), and the ledger entry that says so. The state does not change.
 */
export const resend = (
  state: RolloutState,
  now: Date,
): { event: KanariEvent; entry: LedgerEntry } => {
  const event = pendingEvent(state);
  const pending = state.pending as PendingDecision;
  const seconds = Math.round((now.getTime() - Date.parse(pending.requestedAt)) / 1000);
  return {
    event,
    entry: entryOf(state, now, {
      kind: 'resent',
      cause: { type: 'scheduler' },
      decision: {
        decisionId: pending.decisionId,
        action: pending.action,
        fromWeight: state.canaryWeight,
        targetWeight: pending.targetWeight,
      },
      message: `Re-published ${pending.detailType}: not applied ${seconds} s after it was requested`,
    }),
  };
};
