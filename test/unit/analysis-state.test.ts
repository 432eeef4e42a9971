import { describe, expect, it } from 'vitest';
import {
  combineTests,
  compareTestsOf,
  foldBuckets,
  MAX_LOOKBACK_SECONDS,
  readFrom,
} from '../../lib/domain/analysis-state.ts';
import { DEFAULT_COMPARE } from '../../lib/domain/compare-defaults.ts';
import { initialCompareState } from '../../lib/domain/judge-compare.ts';
import { seedSpec } from '../support/fixtures.ts';

describe('the compare tests of a rollout', () => {
  it('splits the rollout α evenly across every metric and bound (Bonferroni)', () => {
    const spec = seedSpec({
      alpha: 0.03,
      metrics: [
        { name: 'request-success-rate' },
        {
          name: 'request-duration',
          judge: { type: 'compare', bounds: [{ percentile: 99 }, { ms: 500 }] },
        },
      ],
    });
    const tests = compareTestsOf(spec);
    expect(tests.map((t) => t.key)).toEqual([
      'request-success-rate',
      'request-duration@p99',
      'request-duration@500ms',
    ]);
    for (const t of tests) expect(t.config.alpha).toBeCloseTo(0.01, 12);
    expect(tests[0]?.config).toMatchObject({
      tolerance: DEFAULT_COMPARE.tolerance,
      k: DEFAULT_COMPARE.k,
    });
  });

  it('gives a metric its own α, split across its bounds, and leaves threshold metrics out', () => {
    const spec = seedSpec({
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 } },
        {
          name: 'request-duration',
          judge: {
            type: 'compare',
            alpha: 0.02,
            tolerance: 1.2,
            bounds: [{ ms: 200 }, { ms: 400 }],
          },
        },
      ],
    });
    const tests = compareTestsOf(spec);
    expect(tests.map((t) => [t.key, t.config.alpha, t.config.tolerance])).toEqual([
      ['request-duration@200ms', 0.01, 1.2],
      ['request-duration@400ms', 0.01, 1.2],
    ]);
  });
});

describe('folding a check’s buckets', () => {
  const config = { alpha: 0.01, tolerance: 1.5, k: 100, minRequests: 10 };
  const bucket = (t: number, canary: number, primary: number) => ({
    t,
    canary: { requests: canary, bad: 1 },
    primary: { requests: primary, bad: 1 },
  });

  it('counts buckets that ended before a new step for the old step, then restarts the step', () => {
    const start = foldBuckets(
      initialCompareState(config),
      [bucket(10, 5, 50)],
      { newStep: false, startedAtSeconds: 0 },
      config,
    );
    const next = foldBuckets(
      start,
      [bucket(20, 7, 70), bucket(30, 11, 110)],
      { newStep: true, startedAtSeconds: 20 },
      config,
    );
    expect(next.canary.requests).toBe(23);
    expect(next.step.canary.requests).toBe(11);
    expect(next.step.firstT).toBe(30);
  });

  it('counts a bucket that ends before the step but arrives later for the rollout, not the step', () => {
    // CloudWatch publishes a period minutes after it ends: the step's second check may bring
    // periods of the step before, served at the old weights.
    const newStep = foldBuckets(
      foldBuckets(
        initialCompareState(config),
        [bucket(10, 5, 50)],
        { newStep: false, startedAtSeconds: 0 },
        config,
      ),
      [bucket(20, 7, 70)],
      { newStep: true, startedAtSeconds: 40 },
      config,
    );
    const late = foldBuckets(
      newStep,
      [bucket(30, 3, 30), bucket(50, 11, 110)],
      { newStep: false, startedAtSeconds: 40 },
      config,
    );
    expect(late.canary.requests).toBe(5 + 7 + 3 + 11);
    expect(late.step.canary.requests).toBe(11);
    expect(late.step.firstT).toBe(50);
    expect(late.lastT).toBe(50);
  });

  it('leaves the state alone when there is no bucket', () => {
    const state = initialCompareState(config);
    expect(foldBuckets(state, [], { newStep: false, startedAtSeconds: 0 }, config)).toBe(state);
  });

  it('reads from the last bucket, or the step start, at most MAX_LOOKBACK_SECONDS back', () => {
    const state = initialCompareState(config);
    expect(readFrom(state, 1000, 1100)).toBe(1000);
    expect(readFrom({ ...state, lastT: 1050 }, 1000, 1100)).toBe(1050);
    expect(readFrom(state, 0, 10_000)).toBe(10_000 - MAX_LOOKBACK_SECONDS);
  });

  it('fails a metric on one regression and passes it only when every test is non-inferior', () => {
    expect(combineTests(['non-inferior', 'regression'])).toBe('fail');
    expect(combineTests(['non-inferior', 'non-inferior'])).toBe('pass');
    expect(combineTests(['non-inferior', 'inconclusive'])).toBe('inconclusive');
    expect(combineTests([])).toBe('inconclusive');
  });
});
