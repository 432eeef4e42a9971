import { describe, expect, it } from 'vitest';
import type { Cause } from '../../lib/domain/events.ts';
import { planApply, swapDestinations } from '../../lib/domain/lifecycle.ts';
import type { Phase } from '../../lib/domain/phase.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { diffSpecs, isSafeField } from '../../lib/domain/spec-diff.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { newRollout, transition } from '../../lib/domain/transition.ts';
import { seedSpec } from '../support/fixtures.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const ID = 'sandbox/default/my-service';
const alice: Cause = { type: 'operator', actor: 'alice', reason: 'v2 is on my-service now' };

/** A rollout of the seed spec in `phase` with the canary at `canary`. */
const rollout = (
  phase: Phase,
  canary: number,
  extra: Partial<RolloutState> = {},
): RolloutState => ({
  ...newRollout({ id: ID, spec: seedSpec(), revision: 1, version: 7, now: t0 }),
  phase,
  canaryWeight: canary,
  stepIndex: canary === 100 ? 5 : 0,
  finishedAt: t0.toISOString(),
  ...extra,
});
const succeeded = () => rollout('Succeeded', 100);
const ok = (outcome: ReturnType<typeof transition>) => {
  if (!outcome.ok) throw new Error(`refused: ${outcome.message}`);
  return outcome;
};
const withAnalysis = (changes: Partial<RolloutSpec['analysis']>): RolloutSpec => seedSpec(changes);

describe('swapDestinations', () => {
  it('swaps primary and canary and leaves everything else as it was', () => {
    const spec = seedSpec();
    const swapped = swapDestinations(spec);
    expect(swapped.target.primary).toEqual({ host: 'my-service-v2' });
    expect(swapped.target.canary).toEqual({ host: 'my-service' });
    expect({ ...swapped, target: { ...swapped.target, primary: 0, canary: 0 } }).toEqual({
      ...spec,
      target: { ...spec.target, primary: 0, canary: 0 },
    });
    expect(swapDestinations(swapped)).toEqual(spec);
    expect(spec.target.primary).toEqual({ host: 'my-service' }); // the input is not changed
  });
});

describe('diffSpecs', () => {
  it('finds nothing between a spec and its copy, undefined fields included', () => {
    const spec = { ...seedSpec(), alerts: undefined };
    expect(diffSpecs(seedSpec(), spec)).toEqual({ changes: [], changed: [], unsafe: [] });
  });

  it('names safe changes: thresholds, sample size, deadline and alerts', () => {
    const after: RolloutSpec = {
      ...withAnalysis({ threshold: 3, minSampleSize: 50, progressDeadline: '20m' }),
      alerts: { bakeWindow: '5m', matchers: [{ labels: { team: 'shop' }, action: 'rollback' }] },
    };
    after.analysis.metrics = [
      { name: 'request-success-rate', thresholdRange: { min: 98 } },
      { name: 'request-duration', thresholdRange: { max: 800, min: 1 } },
    ];
    const diff = diffSpecs(seedSpec(), after);
    expect(diff.changed).toEqual([
      'alerts',
      'analysis.metrics[0].thresholdRange.min',
      'analysis.metrics[1].thresholdRange.max',
      'analysis.metrics[1].thresholdRange.min',
      'analysis.minSampleSize',
      'analysis.progressDeadline',
      'analysis.threshold',
    ]);
    expect(diff.unsafe).toEqual([]);
  });

  it('names unsafe changes: destinations, plan, interval, metric queries and the metric set', () => {
    const after = withAnalysis({ interval: '30s', stepWeights: [10, 50] });
    after.target = { ...after.target, canary: { host: 'my-service-v3' } };
    after.analysis.metrics = [
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '2m' },
      { name: 'request-duration', thresholdRange: { max: 500 } },
      { name: 'errors', query: 'sum(x)', thresholdRange: { max: 1 } },
    ];
    expect(diffSpecs(seedSpec(), after).unsafe).toEqual([
      'analysis.interval',
      'analysis.metrics[0].interval',
      'analysis.metrics[2]',
      'analysis.stepWeights[1]',
      'analysis.stepWeights[2]',
      'analysis.stepWeights[3]',
      'analysis.stepWeights[4]',
      'target.canary.host',
    ]);
  });

  it('classifies field paths', () => {
    expect(isSafeField('alerts.matchers[0].labels.team')).toBe(true);
    expect(isSafeField('analysis.metrics[3].thresholdRange')).toBe(true);
    expect(isSafeField('analysis.metrics[3].query')).toBe(false);
    expect(isSafeField('analysis.thresholds')).toBe(false);
    expect(isSafeField('alertsX')).toBe(false);
  });
});

describe('planApply: what apply does with a spec', () => {
  it('starts revision 1 when there is no rollout', () => {
    expect(planApply(undefined, seedSpec())).toEqual({ kind: 'start', revision: 1 });
  });

  it('in flight: the same spec is unchanged, safe fields update, anything else is refused', () => {
    for (const phase of [
      'Pending',
      'Progressing',
      'Paused',
      'WaitingPromotion',
      'RollingBack',
    ] as const) {
      const state = rollout(phase, 20);
      expect(planApply(state, seedSpec())).toEqual({ kind: 'unchanged' });
      expect(planApply(state, withAnalysis({ threshold: 4 }))).toEqual({
        kind: 'update',
        changed: ['analysis.threshold'],
        summary: 'analysis.threshold 2 → 4',
      });
      const refused = planApply(state, withAnalysis({ threshold: 4, interval: '30s' }));
      expect(refused).toMatchObject({
        kind: 'refuse',
        reason: 'in-flight',
        unsafe: ['analysis.interval'],
      });
      const message = refused.kind === 'refuse' ? refused.message : '';
      expect(message).toContain(`is ${phase}`);
      expect(message).toContain('analysis.interval');
      expect(message).toContain(`kanari abort ${ID}`);
      expect(message).toContain(`kanari pause ${ID}`);
      expect(message).toContain('analysis.threshold');
    }
  });

  it('after Succeeded with the canary holding the traffic, refuses the same spec and names both ways', () => {
    const plan = planApply(succeeded(), seedSpec());
    expect(plan).toMatchObject({ kind: 'refuse', reason: 'traffic-elsewhere' });
    const message = plan.kind === 'refuse' ? plan.message : '';
    expect(message).toContain('my-service-v2 holds all traffic');
    expect(message).toContain('kanari apply --swap -f <file>');
    expect(message).toContain(`kanari finalize ${ID} --reason`);
  });

  it('after Succeeded, starts the next revision when the new primary is the old canary', () => {
    expect(planApply(succeeded(), swapDestinations(seedSpec()))).toEqual({
      kind: 'start',
      revision: 2,
    });
    // a third version, with the old canary as primary, is fine too
    const next = seedSpec();
    next.target = {
      ...next.target,
      primary: { host: 'my-service-v2' },
      canary: { host: 'my-service-v3' },
    };
    expect(planApply(succeeded(), next)).toEqual({ kind: 'start', revision: 2 });
  });

  it('refuses while a finalize is under way', () => {
    const finalizing = ok(
      transition(succeeded(), { type: 'finalize', cause: alice }, { now: t0, decisionId: 'f1' }),
    ).state;
    for (const spec of [seedSpec(), swapDestinations(seedSpec())]) {
      const plan = planApply(finalizing, spec);
      expect(plan).toMatchObject({ kind: 'refuse', reason: 'traffic-elsewhere' });
      expect(plan.kind === 'refuse' && plan.message).toContain('is being finalized');
    }
  });

  it('after a finalize, RolledBack, Failed or Aborted, the same spec starts the next revision', () => {
    const finalized = rollout('Succeeded', 0, { finalizedAt: t0.toISOString() });
    for (const state of [
      finalized,
      rollout('RolledBack', 0),
      rollout('Failed', 0),
      rollout('Aborted', 0),
    ]) {
      expect(planApply(state, seedSpec())).toEqual({ kind: 'start', revision: 2 });
      // ... but not a swapped one: the primary holds the traffic, and would become the canary.
      const swapped = planApply(state, swapDestinations(seedSpec()));
      expect(swapped).toMatchObject({ kind: 'refuse', reason: 'traffic-elsewhere' });
      expect(swapped.kind === 'refuse' && swapped.message).toContain(
        'my-service holding all traffic',
      );
    }
  });
});

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
