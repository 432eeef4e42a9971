import { describe, expect, it } from 'vitest';
import { transition } from '../../lib/domain/transition.ts';
import {
  alice,
  ID,
  ok,
  rollout,
  succeeded,
  t0,
  withAnalysis,
} from '../support/lifecycle-states.ts';

describe('finalize', () => {
  it('on Succeeded with the canary at 100, records a pending move of all traffic to the primary', () => {
    const outcome = ok(
      transition(succeeded(), { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f1' }),
    );
    expect(outcome.state).toMatchObject({
      phase: 'Succeeded',
      version: 8,
      canaryWeight: 100,
      pending: {
        action: 'finalize',
        detailType: 'Finalize Requested',
        targetWeight: 0,
        onApplied: 'Succeeded',
        basedOnVersion: 7,
      },
    });
    expect(outcome.events).toEqual([
      {
        detailType: 'Finalize Requested',
        detail: expect.objectContaining({
          rolloutId: ID,
          stateVersion: 7,
          decisionId: 'f1',
          targetWeight: 0,
          cause: alice,
        }),
      },
    ]);
    expect(outcome.entry).toMatchObject({
      kind: 'action',
      decision: { action: 'finalize', fromWeight: 100, targetWeight: 0 },
    });
  });

  it('once applied stays Succeeded with the canary at 0, says Finalized and announces no new end', () => {
    const requested = ok(
      transition(succeeded(), { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f1' }),
    );
    const later = new Date(t0.getTime() + 60_000);
    const applied = ok(
      transition(
        requested.state,
        {
          type: 'applied',
          decisionId: 'f1',
          weights: { primary: 100, canary: 0 },
          resourceVersion: '9',
          patch: [],
        },
        { now: later, decisionId: 'f1' },
      ),
    );
    expect(applied.state).toMatchObject({
      phase: 'Succeeded',
      canaryWeight: 0,
      finishedAt: t0.toISOString(),
      finalizedAt: later.toISOString(),
    });
    expect(applied.state.pending).toBeUndefined();
    expect(applied.events.map((e) => e.detailType)).toEqual(['Traffic Shifted']);
    expect(applied.entry.message).toMatch(/^Finalized: primary 100% · canary 0%/);
    // Finalizing again is refused: nothing is left on the canary.
    const again = transition(
      applied.state,
      { type: 'finalize', cause: alice },
      { now: later, decisionId: 'f2' },
    );
    expect(again).toMatchObject({ ok: false, phase: 'Succeeded' });
  });

  it('asked again while pending, replaces the pending decision; the first becomes stale', () => {
    const first = ok(
      transition(succeeded(), { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f1' }),
    );
    const second = ok(
      transition(first.state, { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f2' }),
    );
    expect(second.state.pending).toMatchObject({ decisionId: 'f2', basedOnVersion: 8 });
    const stale = transition(
      second.state,
      {
        type: 'applied',
        decisionId: 'f1',
        weights: { primary: 100, canary: 0 },
        resourceVersion: '9',
        patch: [],
      },
      { now: t0, decisionId: 'f1' },
    );
    expect(stale.ok).toBe(false);
  });

  it('a finalize that cannot be applied leaves the release Succeeded on the canary', () => {
    const requested = ok(
      transition(succeeded(), { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f1' }),
    );
    const failed = ok(
      transition(
        requested.state,
        { type: 'apply-failed', decisionId: 'f1', reason: '403 forbidden' },
        { now: t0, decisionId: 'f1' },
      ),
    );
    expect(failed.state).toMatchObject({ phase: 'Succeeded', canaryWeight: 100 });
    expect(failed.state.pending).toBeUndefined();
    expect(failed.events).toEqual([]);
    expect(failed.entry.message).toContain('Finalize failed');
  });

  it('is refused in every other phase', () => {
    for (const phase of [
      'Pending',
      'Progressing',
      'Paused',
      'WaitingPromotion',
      'RollingBack',
      'RolledBack',
      'Failed',
      'Aborted',
    ] as const) {
      const outcome = transition(
        rollout(phase, 0),
        { type: 'finalize', cause: alice },
        { now: t0, decisionId: 'f' },
      );
      expect(outcome).toMatchObject({ ok: false, phase });
    }
  });

  it('leaves nothing to roll back: an alert in the bake window is refused once finalize is asked', () => {
    const rollback = { type: 'rollback' as const, cause: alice, bakeWindowMs: 3_600_000 };
    // Before finalize a bake-window rollback is accepted, and then finalize is refused (invariant 3).
    const rolledBack = ok(transition(succeeded(), rollback, { now: t0, decisionId: 'r1' })).state;
    expect(rolledBack.phase).toBe('RollingBack');
    expect(
      transition(rolledBack, { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f' }).ok,
    ).toBe(false);
    const finalizing = ok(
      transition(succeeded(), { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f1' }),
    ).state;
    const refused = transition(finalizing, rollback, { now: t0, decisionId: 'r2' });
    expect(refused).toMatchObject({ ok: false, phase: 'Succeeded' });
    expect(!refused.ok && refused.message).toContain('nothing to roll back');
  });
});

describe('update-spec', () => {
  it('stores the new spec under the next version with an update entry naming the fields', () => {
    const state = rollout('Progressing', 20);
    const spec = withAnalysis({ threshold: 4 });
    const outcome = ok(
      transition(
        state,
        {
          type: 'update-spec',
          cause: alice,
          spec,
          changed: ['analysis.threshold'],
          summary: 'analysis.threshold 2 → 4',
        },
        { now: t0, decisionId: 'u1' },
      ),
    );
    expect(outcome.state).toMatchObject({
      version: 8,
      phase: 'Progressing',
      canaryWeight: 20,
      spec,
    });
    expect(outcome.events).toEqual([]);
    expect(outcome.entry).toMatchObject({
      kind: 'update',
      changedFields: ['analysis.threshold'],
      message: 'Spec updated in flight: analysis.threshold 2 → 4',
    });
  });
});
