import { describe, expect, it } from 'vitest';
import { describeEntry } from '../../lib/domain/describe.ts';
import { detectDrift, sameWeights } from '../../lib/domain/drift.ts';
import type { Cause } from '../../lib/domain/events.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { type Input, newRollout, type Outcome, transition } from '../../lib/domain/transition.ts';
import { lastAppliedWeights } from '../../lib/domain/transition-drift.ts';
import { seedSpec } from '../support/fixtures.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const operator: Cause = { type: 'operator', actor: 'alice', reason: 'checked the edit' };
let ids = 0;

const run = (state: RolloutState, input: Input, minutes = 0): Outcome =>
  transition(state, input, { now: at(minutes), decisionId: `d${++ids}` });
const step = (state: RolloutState, input: Input, minutes = 0): Extract<Outcome, { ok: true }> => {
  const outcome = run(state, input, minutes);
  if (!outcome.ok) throw new Error(`refused: ${outcome.message}`);
  return outcome;
};
const applyPending = (state: RolloutState, minutes = 0) => {
  const target = state.pending?.targetWeight ?? 0;
  return step(
    state,
    {
      type: 'applied',
      decisionId: state.pending?.decisionId ?? '',
      weights: { primary: 100 - target, canary: target },
      resourceVersion: '7',
      patch: [{ op: 'replace', path: '/spec/http/0/route/1/weight', value: target }],
    },
    minutes,
  );
};
/** A rollout at its first step, 90/10 applied. */
const atTen = (onDrift?: RolloutSpec['onDrift']): RolloutState => {
  const spec = { ...seedSpec(), ...(onDrift ? { onDrift } : {}) };
  const created = newRollout({
    id: 'sandbox/default/my-service',
    spec,
    revision: 1,
    version: 0,
    now: t0,
  });
  return applyPending(step(created, { type: 'start', cause: { type: 'scheduler' } }).state).state;
};
const edited: Extract<Input, { type: 'drift' }> = {
  type: 'drift',
  applied: { primary: 90, canary: 10 },
  observed: { primary: 100, canary: 0 },
  resourceVersion: '8',
};

describe('drift detection', () => {
  it('compares weights only once kanari applied some', () => {
    expect(detectDrift(undefined, { primary: 100, canary: 0 })).toBe(false);
    expect(detectDrift({ primary: 90, canary: 10 }, { primary: 90, canary: 10 })).toBe(false);
    expect(detectDrift({ primary: 90, canary: 10 }, { primary: 100, canary: 0 })).toBe(true);
    expect(detectDrift({ primary: 90, canary: 10 }, { primary: 80, canary: 10 })).toBe(true);
    expect(sameWeights({ primary: 1, canary: 2 }, { primary: 1, canary: 2 })).toBe(true);
  });

  it("takes kanari's last applied weights from the applied step, none before the first", () => {
    const created = newRollout({ id: 'x', spec: seedSpec(), revision: 1, version: 0, now: t0 });
    expect(lastAppliedWeights(created)).toBeUndefined();
    const started = step(created, { type: 'start', cause: { type: 'scheduler' } }).state;
    expect(lastAppliedWeights(started)).toBeUndefined();
    expect(run(started, edited)).toMatchObject({ ok: false });
    expect(lastAppliedWeights(atTen())).toEqual({ primary: 90, canary: 10 });
  });
});

describe('the drift transition', () => {
  it('pauses by default, records what kanari applied and what the cluster has, and announces it', () => {
    const before = atTen();
    const outcome = step(before, edited, 2);
    const record = {
      applied: { primary: 90, canary: 10 },
      observed: { primary: 100, canary: 0 },
      detectedAt: at(2).toISOString(),
      action: 'pause',
      resourceVersion: '8',
    };
    expect(outcome.state).toMatchObject({
      phase: 'Paused',
      pausedFrom: 'Progressing',
      drift: record,
      version: before.version + 1,
      canaryWeight: 10,
    });
    expect(outcome.state.pending).toBeUndefined();
    expect(outcome.entry).toMatchObject({ kind: 'drift', phase: 'Paused', drift: record });
    expect(outcome.events).toEqual([
      {
        detailType: 'Drift Detected',
        detail: expect.objectContaining({ phase: 'Paused', drift: record }),
      },
    ]);
    expect(describeEntry(outcome.entry)).toBe(
      "Drift: kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0% → paused (resume to re-apply kanari's weights)",
    );
  });

  it('records a drift once: an already-drifted rollout is left alone', () => {
    const drifted = step(atTen(), edited).state;
    expect(run(drifted, edited)).toMatchObject({ ok: false, message: /already recorded/ });
    expect(run(drifted, { ...edited, observed: { primary: 50, canary: 50 } })).toMatchObject({
      ok: false,
    });
  });

  it('changes nothing when the cluster has kanari weights, or the rollout is over or not started', () => {
    const ten = atTen();
    expect(run(ten, { ...edited, observed: { primary: 90, canary: 10 } })).toMatchObject({
      ok: false,
    });
    const rolledBack = applyPending(step(ten, { type: 'rollback', cause: operator }).state).state;
    expect(rolledBack.phase).toBe('RolledBack');
    expect(run(rolledBack, { ...edited, observed: { primary: 50, canary: 50 } })).toMatchObject({
      ok: false,
      message: /RolledBack/,
    });
    const pending = newRollout({ id: 'x', spec: seedSpec(), revision: 1, version: 0, now: t0 });
    expect(run(pending, edited)).toMatchObject({ ok: false, message: /Pending/ });
  });

  it('leaves a pending rollback to be applied regardless', () => {
    const rollingBack = step(atTen(), { type: 'rollback', cause: operator }).state;
    expect(run(rollingBack, edited)).toMatchObject({ ok: false, message: /rollback is applied/ });
  });

  it('cancels a pending step when pausing, and says so', () => {
    const ten = atTen();
    const stepping = step(ten, {
      type: 'check',
      check: { weight: 10, verdict: 'pass', metrics: [] },
    });
    expect(stepping.state.pending?.targetWeight).toBe(20);
    const outcome = step(stepping.state, edited);
    expect(outcome.state).toMatchObject({ phase: 'Paused', pausedFrom: 'Progressing' });
    expect(outcome.state.pending).toBeUndefined();
    expect(outcome.entry.message).toMatch(/the pending step to 20% was not applied/);
  });

  it('keeps a paused rollout paused, and remembers what it was paused from', () => {
    const paused = step(atTen(), { type: 'pause', cause: operator }).state;
    const outcome = step(paused, edited);
    expect(outcome.state).toMatchObject({
      phase: 'Paused',
      pausedFrom: 'Progressing',
      drift: { action: 'pause' },
    });
    expect(outcome.entry.message).toMatch(/→ kept paused/);
  });

  it("with onDrift reapply asks shift-traffic to put kanari's weights back, recorded on both entries", () => {
    const before = atTen('reapply');
    const outcome = step(before, edited, 3);
    expect(outcome.state).toMatchObject({
      phase: 'Progressing',
      drift: { action: 'reapply', observed: { primary: 100, canary: 0 } },
      pending: { action: 'step', targetWeight: 10, stepIndex: 0, reapply: true },
    });
    expect(outcome.events.map((e) => e.detailType)).toEqual([
      'Drift Detected',
      'Step Promotion Requested',
    ]);
    expect(outcome.events[1]?.detail.targetWeight).toBe(10);
    expect(describeEntry(outcome.entry)).toMatch(/→ re-applying kanari's weights$/);
    const reapplied = applyPending(outcome.state, 3);
    expect(reapplied.state).toMatchObject({ phase: 'Progressing', canaryWeight: 10, stepIndex: 0 });
    expect(reapplied.state.drift).toBeUndefined();
    expect(reapplied.entry).toMatchObject({
      kind: 'applied',
      drift: { action: 'reapply' },
      message: expect.stringMatching(/^Re-applied kanari's weights: primary 90% · canary 10%/),
    });
    expect(describeEntry(reapplied.entry)).toMatch(
      /over drift: the cluster had primary 100% · canary 0%, not kanari's primary 90% · canary 10%/,
    );
  });

  it('with onDrift reapply leaves a pending step to write its own weights over the drift', () => {
    const stepping = step(atTen('reapply'), {
      type: 'check',
      check: { weight: 10, verdict: 'pass', metrics: [] },
    }).state;
    expect(run(stepping, edited)).toMatchObject({ ok: false });
  });
});

describe('resume after a drift', () => {
  it("clears the drift and re-applies kanari's weights before going on", () => {
    const drifted = step(atTen(), edited).state;
    const resumed = step(drifted, { type: 'resume', cause: operator }, 5);
    expect(resumed.state.drift).toBeUndefined();
    expect(resumed.state).toMatchObject({
      phase: 'Progressing',
      pending: { targetWeight: 10, stepIndex: 0, reapply: true, onApplied: 'Progressing' },
    });
    expect(resumed.events.map((e) => e.detailType)).toEqual([
      'Resume Requested',
      'Step Promotion Requested',
    ]);
    expect(resumed.entry.message).toBe(
      "Resumed at 10%: re-applying kanari's primary 90% · canary 10% over the cluster's primary 100% · canary 0%",
    );
    const reapplied = applyPending(resumed.state, 5).state;
    expect(reapplied).toMatchObject({ phase: 'Progressing', canaryWeight: 10, stepIndex: 0 });
    // The plan goes on from the step it was at.
    const next = step(reapplied, {
      type: 'check',
      check: { weight: 10, verdict: 'pass', metrics: [] },
    });
    expect(next.state.pending?.targetWeight).toBe(20);
  });

  it('resumes a rollout paused without drift as before', () => {
    const paused = step(atTen(), { type: 'pause', cause: operator }).state;
    const resumed = step(paused, { type: 'resume', cause: operator });
    expect(resumed.state.pending).toBeUndefined();
    expect(resumed.events.map((e) => e.detailType)).toEqual(['Resume Requested']);
  });
});

describe('applied over a drift', () => {
  it('announces the drift a patch wrote over and keeps it on the applied entry', () => {
    const rollingBack = step(atTen(), { type: 'rollback', cause: operator }).state;
    const drift = {
      applied: { primary: 90, canary: 10 },
      observed: { primary: 50, canary: 50 },
      detectedAt: at(1).toISOString(),
      action: 'reapply' as const,
    };
    const outcome = step(rollingBack, {
      type: 'applied',
      decisionId: rollingBack.pending?.decisionId ?? '',
      weights: { primary: 100, canary: 0 },
      resourceVersion: '9',
      patch: [],
      drift,
    });
    expect(outcome.state.phase).toBe('RolledBack');
    expect(outcome.entry.drift).toEqual(drift);
    expect(outcome.events.map((e) => e.detailType)).toEqual([
      'Drift Detected',
      'Traffic Shifted',
      'Rollout Rolled Back',
    ]);
    expect(describeEntry(outcome.entry)).toBe(
      "Applied: primary 100% · canary 0% → RolledBack (over drift: the cluster had primary 50% · canary 50%, not kanari's primary 90% · canary 10%)",
    );
  });
});
