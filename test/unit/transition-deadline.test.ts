import { describe, expect, it } from 'vitest';
import type { CheckResult, MetricResult, Verdict } from '../../lib/domain/judge.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { type Input, newRollout, type Outcome, transition } from '../../lib/domain/transition.ts';
import { seedSpec } from '../support/fixtures.ts';

// The progress deadline (DESIGN invariant 8): a step still inconclusive at it pauses, or rolls
// back when the spec says so; time in which no request reached either side does not count.

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
let ids = 0;

const step = (
  state: RolloutState,
  input: Input,
  minutes: number,
): Extract<Outcome, { ok: true }> => {
  const outcome = transition(state, input, { now: at(minutes), decisionId: `d${++ids}` });
  if (!outcome.ok) throw new Error(`refused: ${outcome.message}`);
  return outcome;
};

const metric = (fields: Partial<MetricResult>): MetricResult => ({
  name: 'request-success-rate',
  query: 'q',
  value: null,
  thresholdRange: { min: 99 },
  verdict: 'inconclusive',
  reason: 'no data',
  ...fields,
});
const check = (verdict: Verdict, metrics: MetricResult[] = []): Input => ({
  type: 'check',
  check: { weight: 10, verdict, metrics } satisfies CheckResult,
});
/** What the threshold judge says when neither side had a request. */
const quiet = check('inconclusive', [
  metric({ sampleSize: 0, primarySampleSize: 0, waitingForTraffic: true }),
  metric({ name: 'request-duration', waitingForTraffic: true }),
]);
const thin = check('inconclusive', [
  metric({ sampleSize: 3, primarySampleSize: 40, waitingForTraffic: false }),
]);

const applyPending = (state: RolloutState, minutes: number): RolloutState => {
  const target = state.pending?.targetWeight ?? 0;
  return step(
    state,
    {
      type: 'applied',
      decisionId: state.pending?.decisionId ?? '',
      weights: { primary: 100 - target, canary: target },
      resourceVersion: '1',
      patch: [],
    },
    minutes,
  ).state;
};
/** At 10% from minute 0, deadline 3m. */
const started = (overrides = {}) =>
  applyPending(
    step(
      newRollout({
        id: 'sandbox/default/my-service',
        spec: seedSpec({ progressDeadline: '3m', ...overrides }),
        revision: 1,
        version: 0,
        now: t0,
      }),
      { type: 'start', cause: { type: 'scheduler' } },
      0,
    ).state,
    0,
  );

describe('a step inconclusive at its progress deadline', () => {
  it('pauses by default: no traffic change, a ledger entry, and a message that says how to go on', () => {
    const held = step(started(), thin, 1).state;
    const paused = step(step(held, thin, 2).state, thin, 3);
    expect(paused.state).toMatchObject({
      phase: 'Paused',
      pausedFrom: 'Progressing',
      canaryWeight: 10,
    });
    expect(paused.state.pending).toBeUndefined();
    expect(paused.events.map((e) => e.detailType)).toEqual([
      'Analysis Completed',
      'Pause Requested',
    ]);
    expect(paused.events[1]?.detail).toMatchObject({
      cause: { type: 'analysis' },
      reason: expect.stringContaining('progress deadline of 3m exceeded'),
    });
    expect(paused.entry).toMatchObject({
      kind: 'check',
      phase: 'Paused',
      cause: { type: 'analysis' },
      decision: { action: 'pause', fromWeight: 10 },
    });
    expect(paused.entry.decision?.targetWeight).toBeUndefined();
    expect(paused.state.message).toMatch(/progress deadline of 3m exceeded; paused at 10%/);
    expect(paused.state.message).toMatch(/resume .*promote.*rollback/);
  });

  it('lets a person go on from the pause: resume starts a new deadline, promote moves on', () => {
    const paused = step(started(), thin, 3).state;
    expect(paused.phase).toBe('Paused');
    const resumed = step(paused, { type: 'resume', cause: { type: 'scheduler' } }, 10).state;
    expect(resumed).toMatchObject({ phase: 'Progressing', stepStartedAt: at(10).toISOString() });
    expect(step(resumed, thin, 12).state.phase).toBe('Progressing');
    const cause = { type: 'operator', actor: 'ana', reason: 'looked at it' } as const;
    const promoted = step(paused, { type: 'promote', cause, full: false }, 10);
    expect(promoted.state.pending).toMatchObject({ action: 'step', targetWeight: 20 });
  });

  it('rolls back and ends Failed with onDeadline: rollback', () => {
    const late = step(started({ onDeadline: 'rollback' }), thin, 3);
    expect(late.state.pending).toMatchObject({
      action: 'rollback',
      onApplied: 'Failed',
      reason: 'progress deadline of 3m exceeded',
    });
    expect(applyPending(late.state, 3)).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
  });

  it('still fails on failed checks before the deadline, and a failed check never pauses', () => {
    const failing = check('fail', [metric({ value: 90, verdict: 'fail', reason: '90 < 99' })]);
    const first = step(started(), failing, 3);
    expect(first.state).toMatchObject({ phase: 'Progressing', failedChecks: 1 });
  });
});

describe('time with no traffic on either side', () => {
  it('holds, waiting for traffic, and never promotes or pauses however long it lasts', () => {
    let state = started();
    for (let minute = 1; minute <= 30; minute++) {
      const outcome = step(state, quiet, minute);
      expect(outcome.events.map((e) => e.detailType)).toEqual(['Analysis Completed']);
      expect(outcome.entry.decision?.action).toBe('hold');
      state = outcome.state;
    }
    expect(state).toMatchObject({ phase: 'Progressing', canaryWeight: 10, quietMs: 30 * 60_000 });
    expect(state.pending).toBeUndefined();
    expect(state.message).toMatch(/^Waiting for traffic at 10%: no requests on canary or primary/);
    expect(state.message).toMatch(/30\.0m quiet|30m quiet/);
  });

  it('does not count toward the deadline: 3m of thin data after 5m of quiet still holds', () => {
    let state = started();
    for (let minute = 1; minute <= 5; minute++) state = step(state, quiet, minute).state;
    for (let minute = 6; minute <= 7; minute++) {
      state = step(state, thin, minute).state;
      expect(state.phase).toBe('Progressing');
    }
    // 8 minutes into the step, 5 of them quiet: 3 minutes count, the deadline of 3m is reached.
    expect(step(state, thin, 8).state.phase).toBe('Paused');
  });

  it('credits at most the window a check looked at, however long since the last one', () => {
    const quietState = step(started(), quiet, 45).state;
    // The metrics look at the last minute (the analysis interval): that is all the check saw.
    expect(quietState.quietMs).toBe(60_000);
    expect(step(quietState, thin, 46).state.phase).toBe('Paused');
  });

  it('counts again from zero at the next step and after a resume', () => {
    const quietState = step(started(), quiet, 1).state;
    expect(quietState.quietMs).toBe(60_000);
    const pass = check('pass', [metric({ value: 99.9, verdict: 'pass', reason: 'ok' })]);
    const next = applyPending(step(quietState, pass, 2).state, 2);
    expect(next).toMatchObject({ canaryWeight: 20 });
    expect(next.quietMs).toBeUndefined();
    const paused = step(
      step(quietState, thin, 2).state,
      { type: 'pause', cause: { type: 'scheduler' } },
      2,
    ).state;
    expect(paused.quietMs).toBe(60_000);
    expect(step(paused, { type: 'resume', cause: { type: 'scheduler' } }, 6).state.quietMs).toBe(
      undefined,
    );
  });

  it('is not claimed when one metric saw traffic, or when the check failed', () => {
    const mixed = check('inconclusive', [
      metric({ waitingForTraffic: true }),
      metric({ name: 'request-duration', waitingForTraffic: false }),
    ]);
    expect(step(started(), mixed, 3).state.phase).toBe('Paused');
    const unknown = check('inconclusive', [metric({})]);
    expect(step(started(), unknown, 3).state.phase).toBe('Paused');
  });
});
