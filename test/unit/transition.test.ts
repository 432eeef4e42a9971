import { describe, expect, it } from 'vitest';
import type { Cause } from '../../lib/domain/events.ts';
import type { CheckResult, Verdict } from '../../lib/domain/judge.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { type Input, newRollout, type Outcome, transition } from '../../lib/domain/transition.ts';
import { seedSpec } from '../support/fixtures.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const operator: Cause = { type: 'operator', actor: 'alice', reason: 'incident 42' };
let ids = 0;

const step = (state: RolloutState, input: Input, minutes = 0): Extract<Outcome, { ok: true }> => {
  const outcome = transition(state, input, { now: at(minutes), decisionId: `d${++ids}` });
  if (!outcome.ok) throw new Error(`refused: ${outcome.message}`);
  return outcome;
};
const check = (verdict: Verdict, weight = 0): Input => ({
  type: 'check',
  check: { weight, verdict, metrics: [] } satisfies CheckResult,
});
const applyPending = (state: RolloutState, minutes = 0): RolloutState => {
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
const started = (overrides = {}) =>
  applyPending(
    step(
      newRollout({
        id: 'sandbox/default/my-service',
        spec: seedSpec(overrides),
        revision: 1,
        version: 0,
        now: t0,
      }),
      { type: 'start', cause: { type: 'scheduler' } },
    ).state,
  );

describe('rollout transitions', () => {
  it('starts by requesting the first step and reaches it once applied', () => {
    const created = newRollout({ id: 'x', spec: seedSpec(), revision: 1, version: 0, now: t0 });
    const outcome = step(created, { type: 'start', cause: { type: 'scheduler' } });
    expect(outcome.state).toMatchObject({
      phase: 'Progressing',
      version: 1,
      pending: { targetWeight: 10, action: 'step' },
    });
    expect(outcome.events.map((e) => e.detailType)).toEqual([
      'Rollout Started',
      'Step Promotion Requested',
    ]);
    expect(outcome.events[1]?.detail).toMatchObject({
      stateVersion: 0,
      targetWeight: 10,
      decisionId: outcome.state.pending?.decisionId,
    });
    const applied = applyPending(outcome.state);
    expect(applied).toMatchObject({
      phase: 'Progressing',
      canaryWeight: 10,
      stepIndex: 0,
      version: 2,
    });
    expect(applied.pending).toBeUndefined();
  });

  it('walks every step on passing checks, then promotes to 100 and succeeds', () => {
    let state = started();
    const weights: number[] = [state.canaryWeight];
    for (let tick = 1; state.phase === 'Progressing'; tick++) {
      const decided = step(state, check('pass', state.canaryWeight), tick);
      expect(decided.events.map((e) => e.detailType)).toEqual([
        'Analysis Completed',
        state.canaryWeight === 50 ? 'Rollout Promotion Requested' : 'Step Promotion Requested',
      ]);
      state = applyPending(decided.state, tick);
      weights.push(state.canaryWeight);
    }
    expect(weights).toEqual([10, 20, 30, 40, 50, 100]);
    expect(state.phase).toBe('Succeeded');
    expect(state.finishedAt).toBe(at(5).toISOString());
  });

  it('holds on a failed check below the threshold and rolls back when it is reached', () => {
    const first = step(started(), check('fail', 10), 1);
    expect(first.state).toMatchObject({ phase: 'Progressing', failedChecks: 1, canaryWeight: 10 });
    expect(first.state.pending).toBeUndefined();
    expect(first.entry.decision?.action).toBe('hold');
    expect(first.state.nextCheckAt).toBe(at(2).toISOString());
    const second = step(first.state, check('fail', 10), 2);
    expect(second.state).toMatchObject({
      phase: 'RollingBack',
      failedChecks: 2,
      pending: { action: 'rollback', targetWeight: 0 },
    });
    expect(second.events.map((e) => e.detailType)).toEqual([
      'Analysis Completed',
      'Rollback Requested',
    ]);
    expect(second.events[1]?.detail.cause).toEqual({ type: 'analysis' });
    expect(applyPending(second.state, 2)).toMatchObject({ phase: 'RolledBack', canaryWeight: 0 });
  });

  it('with onDeadline: rollback, holds on inconclusive checks until the progress deadline, then rolls back and fails', () => {
    const held = step(
      started({ progressDeadline: '3m', onDeadline: 'rollback' }),
      check('inconclusive', 10),
      1,
    );
    expect(held.state).toMatchObject({ phase: 'Progressing', failedChecks: 0 });
    expect(held.events.map((e) => e.detailType)).toEqual(['Analysis Completed']);
    const late = step(held.state, check('inconclusive', 10), 3);
    expect(late.state.pending).toMatchObject({
      action: 'rollback',
      onApplied: 'Failed',
      reason: 'progress deadline of 3m exceeded',
    });
    expect(applyPending(late.state, 3).phase).toBe('Failed');
  });

  it('ignores the application of a decision that is not pending (stale or duplicate)', () => {
    const state = started();
    const outcome = transition(
      state,
      {
        type: 'applied',
        decisionId: 'old',
        weights: { primary: 0, canary: 100 },
        resourceVersion: '9',
        patch: [],
      },
      { now: t0, decisionId: 'x' },
    );
    expect(outcome).toEqual({
      ok: false,
      phase: 'Progressing',
      message: 'decision old is not the pending decision; it is stale or a duplicate',
    });
  });

  it('lets a rollback replace a pending step, so the step can no longer be applied', () => {
    const pendingStep = step(started(), check('pass', 10), 1).state;
    const stepId = pendingStep.pending?.decisionId;
    const rolling = step(pendingStep, { type: 'rollback', cause: operator }, 1).state;
    expect(rolling.pending?.action).toBe('rollback');
    const late = transition(
      rolling,
      {
        type: 'applied',
        decisionId: stepId ?? '',
        weights: { primary: 80, canary: 20 },
        resourceVersion: '2',
        patch: [],
      },
      { now: at(1), decisionId: 'y' },
    );
    expect(late.ok).toBe(false);
  });

  it('refuses actions that do not fit the phase, naming the phase', () => {
    let state = started();
    state = applyPending(step(state, { type: 'rollback', cause: operator }).state);
    expect(state.phase).toBe('RolledBack');
    for (const type of ['resume', 'pause', 'rollback', 'abort'] as const) {
      const outcome = transition(state, { type, cause: operator }, { now: t0, decisionId: 'z' });
      expect(outcome).toMatchObject({ ok: false, phase: 'RolledBack' });
    }
    expect(
      transition(
        state,
        { type: 'promote', cause: operator, full: true },
        { now: t0, decisionId: 'z' },
      ),
    ).toMatchObject({ ok: false });
  });

  it('pauses (cancelling a pending step) and resumes where it was', () => {
    const pendingStep = step(started(), check('pass', 10), 1).state;
    const paused = step(pendingStep, { type: 'pause', cause: operator }, 2);
    expect(paused.state).toMatchObject({ phase: 'Paused', canaryWeight: 10 });
    expect(paused.state.pending).toBeUndefined();
    expect(paused.entry.cause).toEqual(operator);
    expect(transition(paused.state, check('pass', 10), { now: at(3), decisionId: 'q' }).ok).toBe(
      false,
    );
    const resumed = step(paused.state, { type: 'resume', cause: operator }, 5);
    expect(resumed.state).toMatchObject({ phase: 'Progressing', nextCheckAt: at(5).toISOString() });
  });

  it('promotes one step or fully on an operator request', () => {
    const state = started();
    expect(
      step(state, { type: 'promote', cause: operator, full: false }).state.pending,
    ).toMatchObject({ action: 'step', targetWeight: 20 });
    const full = step(state, { type: 'promote', cause: operator, full: true });
    expect(full.state.pending).toMatchObject({
      action: 'promote',
      targetWeight: 100,
      onApplied: 'Succeeded',
    });
    expect(full.events[0]?.detailType).toBe('Rollout Promotion Requested');
  });

  it('aborts by sending traffic back and ending Aborted', () => {
    const aborting = step(started(), { type: 'abort', cause: operator });
    expect(aborting.events[0]?.detailType).toBe('Abort Requested');
    expect(applyPending(aborting.state)).toMatchObject({ phase: 'Aborted', canaryWeight: 0 });
  });

  it('rolls back a Succeeded rollout only within the bake window', () => {
    let state = started({ stepWeights: [50] });
    state = applyPending(step(state, check('pass', 50), 1).state, 1);
    expect(state.phase).toBe('Succeeded');
    expect(
      transition(state, { type: 'rollback', cause: operator }, { now: at(2), decisionId: 'a' }).ok,
    ).toBe(false);
    expect(
      transition(
        state,
        { type: 'rollback', cause: operator, bakeWindowMs: 120_000 },
        { now: at(2), decisionId: 'a' },
      ).ok,
    ).toBe(true);
    expect(
      transition(
        state,
        { type: 'rollback', cause: operator, bakeWindowMs: 120_000 },
        { now: at(4), decisionId: 'a' },
      ).ok,
    ).toBe(false);
  });

  it('bumps the version by one on every write and records it in the ledger entry', () => {
    const state = started();
    const outcome = step(state, check('pass', 10), 1);
    expect(outcome.state.version).toBe(state.version + 1);
    expect(outcome.entry).toMatchObject({
      stateVersion: state.version + 1,
      kind: 'check',
      decision: { action: 'step', fromWeight: 10, targetWeight: 20 },
    });
  });
});
