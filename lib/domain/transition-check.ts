import { durationMs } from './duration.ts';
import type { Cause, KanariEvent } from './events.ts';
import type { CheckResult } from './judge.ts';
import type { RolloutState } from './state.ts';
import { bump, decide, detail, entryOf, later, refuse } from './transition-parts.ts';
import type { Context, Outcome } from './transition-types.ts';

/** A finished check: promote on pass, count failures, hold when inconclusive. */
export const check = (state: RolloutState, result: CheckResult, ctx: Context): Outcome => {
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
