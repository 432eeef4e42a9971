import { describe, expect, it } from 'vitest';
import { planApply, swapDestinations } from '../../lib/domain/lifecycle.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { diffSpecs, isSafeField } from '../../lib/domain/spec-diff.ts';
import { transition } from '../../lib/domain/transition.ts';
import { seedSpec } from '../support/fixtures.ts';
import {
  alice,
  ID,
  ok,
  rollout,
  succeeded,
  t0,
  withAnalysis,
} from '../support/lifecycle-states.ts';

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

  it('lets onDeadline and scoreThresholds change in flight, not alpha or a judge', () => {
    const safe = withAnalysis({
      onDeadline: 'rollback',
      scoreThresholds: { pass: 90, marginal: 60 },
    });
    expect(diffSpecs(seedSpec(), safe)).toMatchObject({
      changed: ['analysis.onDeadline', 'analysis.scoreThresholds'],
      unsafe: [],
    });
    const unsafe = withAnalysis({ alpha: 0.05 });
    unsafe.analysis.metrics = [
      { name: 'request-success-rate', judge: { type: 'threshold' }, thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ];
    expect(diffSpecs(seedSpec(), unsafe).unsafe).toEqual([
      'analysis.alpha',
      'analysis.metrics[0].judge',
    ]);
  });

  it('names a judge that changes because thresholdRange was removed, and refuses it', () => {
    const after = withAnalysis({});
    after.analysis.metrics = [
      { name: 'request-success-rate' },
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ];
    const diff = diffSpecs(seedSpec(), after);
    expect(diff.changes).toContainEqual({
      path: 'analysis.metrics[0].judge',
      before: 'threshold',
      after: 'compare',
    });
    expect(diff.unsafe).toEqual(['analysis.metrics[0].judge']);
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
