import { durationMs } from './duration.ts';
import type { Cause, DetailType, EventDetail, KanariEvent } from './events.ts';
import type { CheckResult } from './judge.ts';
import { isTerminal, type Phase } from './phase.ts';
import type { Weights } from './routes.ts';
import type { LedgerEntry, PendingDecision, RolloutState, TrafficAction } from './state.ts';
import type { JsonPatchOperation } from './virtual-service.ts';
import { nextWeight, weightPlan } from './weight-plan.ts';

export type Input =
  | { type: 'start'; cause: Cause }
  | { type: 'check'; check: CheckResult }
  | { type: 'rollback'; cause: Cause; bakeWindowMs?: number }
  | { type: 'abort'; cause: Cause }
  | { type: 'pause'; cause: Cause }
  | { type: 'resume'; cause: Cause }
  | { type: 'promote'; cause: Cause; full: boolean }
  | {
      type: 'applied';
      decisionId: string;
      weights: Weights;
      resourceVersion: string;
      patch: JsonPatchOperation[];
    }
  | { type: 'apply-failed'; decisionId: string; reason: string };

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

const ACTIVE: readonly Phase[] = ['Pending', 'Progressing', 'Paused', 'WaitingPromotion'];

const refuse = (state: RolloutState, message: string): Outcome => ({
  ok: false,
  phase: state.phase,
  message,
});

/** The pure state machine: `(state, input) → (next state, events, ledger entry)`. */
export const transition = (state: RolloutState, input: Input, ctx: Context): Outcome => {
  switch (input.type) {
    case 'start':
      if (state.phase !== 'Pending') return refuse(state, `rollout is ${state.phase}, not Pending`);
      return decide(state, ctx, input.cause, 'step', 'start', 'Rollout started');
    case 'check':
      return check(state, input.check, ctx);
    case 'rollback': {
      const baking =
        state.phase === 'Succeeded' &&
        input.bakeWindowMs !== undefined &&
        state.finishedAt !== undefined &&
        ctx.now.getTime() - Date.parse(state.finishedAt) <= input.bakeWindowMs;
      if (!ACTIVE.includes(state.phase) && !baking)
        return refuse(state, `cannot roll back a rollout that is ${state.phase}`);
      return decide(state, ctx, input.cause, 'rollback', 'action', 'Rollback requested');
    }
    case 'abort':
      if (!ACTIVE.includes(state.phase))
        return refuse(state, `cannot abort a rollout that is ${state.phase}`);
      return decide(state, ctx, input.cause, 'abort', 'action', 'Abort requested');
    case 'promote':
      if (!['Progressing', 'Paused', 'WaitingPromotion'].includes(state.phase)) {
        return refuse(state, `cannot promote a rollout that is ${state.phase}`);
      }
      return decide(
        state,
        ctx,
        input.cause,
        input.full ? 'promote' : 'step',
        'action',
        'Promotion requested',
      );
    case 'pause':
      return pause(state, input.cause, ctx);
    case 'resume':
      return resume(state, input.cause, ctx);
    case 'applied':
      return applied(state, input, ctx);
    case 'apply-failed':
      return applyFailed(state, input, ctx);
  }
};

const bump = (state: RolloutState, now: Date, changes: Partial<RolloutState>): RolloutState => ({
  ...state,
  ...changes,
  version: state.version + 1,
  updatedAt: now.toISOString(),
});

const later = (now: Date, duration: string): string =>
  new Date(now.getTime() + durationMs(duration)).toISOString();

const detail = (
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

const entryOf = (
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
};

/** Accepts a traffic decision: records it as pending and asks shift-traffic to apply it. */
const decide = (
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
  const message = `${headline}: ${describeAction(action, state.canaryWeight, targetWeight)}${reason ? ` (${reason})` : ''}`;
  const next = bump(state, ctx.now, {
    phase: backwards ? 'RollingBack' : 'Progressing',
    pending,
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

const check = (state: RolloutState, result: CheckResult, ctx: Context): Outcome => {
  if (state.phase !== 'Progressing' || state.pending) {
    return refuse(
      state,
      `rollout is ${state.phase}${state.pending ? ' with a decision pending' : ''}; no check is due`,
    );
  }
  const { analysis } = state.spec;
  const counted = { ...state, checks: state.checks + 1 };
  const analysisCause: Cause = { type: 'analysis' };
  const completed: KanariEvent = {
    detailType: 'Analysis Completed',
    detail: detail(state, ctx.decisionId, { type: 'scheduler' }, { check: result }),
  };
  const withCompleted = (outcome: Outcome): Outcome =>
    outcome.ok ? { ...outcome, events: [completed, ...outcome.events] } : outcome;
  const summary = result.metrics.map((metric) => `${metric.name} ${metric.reason}`).join(' · ');

  if (result.verdict === 'pass') {
    return withCompleted(
      decide(
        counted,
        ctx,
        analysisCause,
        'step',
        'check',
        `Check passed at ${result.weight}% (${summary})`,
        result,
      ),
    );
  }
  if (result.verdict === 'fail') {
    const failed = { ...counted, failedChecks: state.failedChecks + 1 };
    if (failed.failedChecks >= analysis.threshold) {
      const reason = `${failed.failedChecks} failed checks reached the threshold of ${analysis.threshold}`;
      return withCompleted(
        decide(
          failed,
          ctx,
          analysisCause,
          'rollback',
          'check',
          `Check failed at ${result.weight}% (${summary})`,
          result,
          reason,
        ),
      );
    }
    return withCompleted(
      hold(
        failed,
        ctx,
        result,
        `Check failed at ${result.weight}% (${summary}); ${failed.failedChecks} of ${analysis.threshold} failed checks, holding`,
      ),
    );
  }
  const deadline = Date.parse(state.stepStartedAt) + durationMs(analysis.progressDeadline);
  if (ctx.now.getTime() >= deadline) {
    const reason = `progress deadline of ${analysis.progressDeadline} exceeded`;
    return withCompleted(
      decide(
        counted,
        ctx,
        analysisCause,
        'rollback',
        'check',
        `Check inconclusive at ${result.weight}% (${summary})`,
        result,
        reason,
        'Failed',
      ),
    );
  }
  return withCompleted(
    hold(counted, ctx, result, `Check inconclusive at ${result.weight}% (${summary}); holding`),
  );
};

const hold = (state: RolloutState, ctx: Context, result: CheckResult, message: string): Outcome => {
  const next = bump(state, ctx.now, {
    nextCheckAt: later(ctx.now, state.spec.analysis.interval),
    message,
  });
  return {
    ok: true,
    state: next,
    events: [],
    entry: entryOf(next, ctx.now, {
      kind: 'check',
      cause: { type: 'analysis' },
      decision: { decisionId: ctx.decisionId, action: 'hold', fromWeight: state.canaryWeight },
      check: result,
      message,
    }),
  };
};

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

const pause = (state: RolloutState, cause: Cause, ctx: Context): Outcome => {
  if (!['Progressing', 'WaitingPromotion'].includes(state.phase))
    return refuse(state, `cannot pause a rollout that is ${state.phase}`);
  const message = `Paused at ${state.canaryWeight}%${state.pending ? '; the pending step was cancelled' : ''}`;
  const next = bump(state, ctx.now, {
    phase: 'Paused',
    pausedFrom: state.phase,
    pending: undefined,
    message,
  });
  return {
    ok: true,
    state: next,
    events: [{ detailType: 'Pause Requested', detail: detail(state, ctx.decisionId, cause) }],
    entry: operatorEntry(next, ctx, cause, 'pause', message),
  };
};

const resume = (state: RolloutState, cause: Cause, ctx: Context): Outcome => {
  if (state.phase !== 'Paused')
    return refuse(state, `cannot resume a rollout that is ${state.phase}`);
  const message = `Resumed at ${state.canaryWeight}%`;
  const next = bump(state, ctx.now, {
    phase: state.pausedFrom ?? 'Progressing',
    pausedFrom: undefined,
    nextCheckAt: ctx.now.toISOString(),
    stepStartedAt: ctx.now.toISOString(),
    message,
  });
  return {
    ok: true,
    state: next,
    events: [{ detailType: 'Resume Requested', detail: detail(state, ctx.decisionId, cause) }],
    entry: operatorEntry(next, ctx, cause, 'resume', message),
  };
};

const TERMINAL_EVENT: Partial<Record<Phase, DetailType>> = {
  Succeeded: 'Rollout Succeeded',
  RolledBack: 'Rollout Rolled Back',
  Aborted: 'Rollout Rolled Back',
  Failed: 'Rollout Failed',
};

const applied = (
  state: RolloutState,
  input: Extract<Input, { type: 'applied' }>,
  ctx: Context,
): Outcome => {
  const pending = state.pending;
  if (!pending || pending.decisionId !== input.decisionId) {
    return refuse(
      state,
      `decision ${input.decisionId} is not the pending decision; it is stale or a duplicate`,
    );
  }
  const phase = pending.onApplied;
  const message = `Applied: primary ${input.weights.primary}% · canary ${input.weights.canary}%${isTerminal(phase) ? ` → ${phase}` : ''}`;
  const next = bump(state, ctx.now, {
    phase,
    pending: undefined,
    canaryWeight: input.weights.canary,
    stepIndex: pending.stepIndex,
    stepStartedAt: ctx.now.toISOString(),
    nextCheckAt: later(ctx.now, state.spec.analysis.interval),
    ...(isTerminal(phase) ? { finishedAt: ctx.now.toISOString() } : {}),
    message,
  });
  const shifted = detail(state, pending.decisionId, pending.cause, {
    weights: input.weights,
    phase,
  });
  const events: KanariEvent[] = [{ detailType: 'Traffic Shifted', detail: shifted }];
  const terminal = TERMINAL_EVENT[phase];
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
      message,
    }),
  };
};

const applyFailed = (
  state: RolloutState,
  input: Extract<Input, { type: 'apply-failed' }>,
  ctx: Context,
): Outcome => {
  const pending = state.pending;
  if (!pending || pending.decisionId !== input.decisionId) {
    return refuse(
      state,
      `decision ${input.decisionId} is not the pending decision; it is stale or a duplicate`,
    );
  }
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

/** A fresh rollout, before `start`. */
export const newRollout = (input: {
  id: string;
  spec: RolloutState['spec'];
  revision: number;
  version: number;
  now: Date;
}): RolloutState => ({
  id: input.id,
  revision: input.revision,
  version: input.version,
  phase: 'Pending',
  spec: input.spec,
  canaryWeight: 0,
  stepIndex: -1,
  checks: 0,
  failedChecks: 0,
  nextCheckAt: input.now.toISOString(),
  stepStartedAt: input.now.toISOString(),
  createdAt: input.now.toISOString(),
  updatedAt: input.now.toISOString(),
  message: 'Created',
});
