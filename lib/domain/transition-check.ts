import { durationMs } from './duration.ts';
import type { Cause, KanariEvent } from './events.ts';
import { type CheckResult, isWaitingForTraffic } from './judge.ts';
import { onDeadlineOf } from './rollout-spec.ts';
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
    // The compare judge's regression is already a decision at level α (anytime-valid across
    // checks): waiting for more failed checks would only add canary traffic to a bad version.
    const regressed = result.metrics
      .filter((metric) => metric.judge === 'compare' && metric.verdict === 'fail')
      .map((metric) => metric.name);
    if (regressed.length > 0 || failed.failedChecks >= analysis.threshold) {
      const reason =
        regressed.length > 0
          ? `the compare judge found a regression in ${regressed.join(', ')}; rolled back at once`
          : `${failed.failedChecks} failed checks reached the threshold of ${analysis.threshold}`;
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
  const down = result.metrics.filter((metric) => metric.sourceDown !== undefined);
  if (result.verdict === 'inconclusive' && down.length > 0) {
    // Not "no traffic": nothing is known, so the time counts toward the deadline.
    const what = down.map((metric) => `${metric.name}: ${metric.sourceDown}`).join(' · ');
    const headline = `Metric source down at ${result.weight}% (${what})`;
    return withCompleted(
      pastDeadline(state, ctx.now)
        ? atDeadline(counted, ctx, result, headline)
        : hold(
            counted,
            ctx,
            result,
            `${headline}; holding, and the time counts toward the progress deadline of ${analysis.progressDeadline}`,
          ),
    );
  }
  if (isWaitingForTraffic(result)) {
    const quietMs = (state.quietMs ?? 0) + quietCredit(state, ctx.now);
    return withCompleted(
      hold(
        { ...counted, quietMs },
        ctx,
        result,
        `Waiting for traffic at ${result.weight}%: no requests on canary or primary; ` +
          `quiet time does not count toward the progress deadline of ${analysis.progressDeadline} (${minutes(quietMs)} quiet in this step)`,
      ),
    );
  }
  if (pastDeadline(state, ctx.now))
    return withCompleted(
      atDeadline(counted, ctx, result, `Check inconclusive at ${result.weight}% (${summary})`),
    );
  return withCompleted(
    hold(counted, ctx, result, `Check inconclusive at ${result.weight}% (${summary}); holding`),
  );
};

/** The step has been inconclusive for its progress deadline (quiet time not counted). */
const pastDeadline = (state: RolloutState, now: Date): boolean =>
  now.getTime() >=
  Date.parse(state.stepStartedAt) +
    durationMs(state.spec.analysis.progressDeadline) +
    (state.quietMs ?? 0);

/** `onDeadline`: pause where the traffic is, or roll back and end Failed. */
const atDeadline = (
  state: RolloutState,
  ctx: Context,
  result: CheckResult,
  headline: string,
): Outcome => {
  const { analysis } = state.spec;
  const reason = `progress deadline of ${analysis.progressDeadline} exceeded`;
  if (onDeadlineOf(analysis) === 'pause')
    return pauseAtDeadline(state, ctx, result, `${headline}: ${reason}`);
  return decide(
    state,
    ctx,
    { type: 'analysis' },
    'rollback',
    'check',
    headline,
    result,
    reason,
    'Failed',
  );
};

/**
 * How much of the time since the last write a check with no traffic stands for: at most the
 * shortest window a metric looked at, since that is all it saw. The last write is the previous
 * check, or a later one (an update, a resume), so the credit never exceeds the quiet time.
 */
const quietCredit = (state: RolloutState, now: Date): number => {
  const { analysis } = state.spec;
  const window = Math.min(
    ...analysis.metrics.map((metric) => durationMs(metric.interval ?? analysis.interval)),
  );
  return Math.max(0, Math.min(window, now.getTime() - Date.parse(state.updatedAt)));
};

const minutes = (ms: number): string =>
  ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.round((ms / 60_000) * 10) / 10}m`;

/** `onDeadline: pause`: the weights stay where they are and a person decides how to go on. */
const pauseAtDeadline = (
  state: RolloutState,
  ctx: Context,
  result: CheckResult,
  why: string,
): Outcome => {
  const message =
    `${why}; paused at ${state.canaryWeight}%, traffic unchanged. ` +
    `To go on: resume (checks start again with a new deadline), promote, or rollback (kanari resume|promote|rollback ${state.id} --reason ...)`;
  const next = bump(state, ctx.now, { phase: 'Paused', pausedFrom: 'Progressing', message });
  const cause: Cause = { type: 'analysis' };
  return {
    ok: true,
    state: next,
    events: [
      {
        detailType: 'Pause Requested',
        detail: detail(state, ctx.decisionId, cause, { reason: why }),
      },
    ],
    entry: entryOf(next, ctx.now, {
      kind: 'check',
      cause,
      decision: { decisionId: ctx.decisionId, action: 'pause', fromWeight: state.canaryWeight },
      check: result,
      message,
    }),
  };
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
