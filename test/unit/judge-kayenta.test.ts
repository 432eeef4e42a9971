import { describe, expect, it } from 'vitest';
import {
  classifyMetric,
  KAYENTA_DEFAULTS,
  type KayentaMetricConfig,
  type KayentaMetricResult,
  removeOutliers,
  scoreMetrics,
} from '../../lib/domain/judge-kayenta.ts';

/** A fixed-seed generator, so the series are the same on every run. */
const lcg = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 2 ** 32;
  return seed / 2 ** 32;
};
const series = (seed: number, length: number, from: number, to: number) => {
  const rand = lcg(seed);
  return Array.from({ length }, () => from + rand() * (to - from));
};
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

const config = (overrides: Partial<KayentaMetricConfig> = {}): KayentaMetricConfig => ({
  ...KAYENTA_DEFAULTS,
  ...overrides,
});
const baseline = series(1, 60, 100, 110);
const higher = series(2, 60, 130, 140);
const lower = series(3, 60, 70, 80);
const similar = series(4, 60, 100, 110);

describe('classifyMetric (Kayenta NetflixACAJudge)', () => {
  it('uses Kayenta’s fixed values: 98% confidence, tolerance 0.25, either direction', () => {
    expect(KAYENTA_DEFAULTS).toMatchObject({
      confidence: 0.98,
      tolerance: 0.25,
      direction: 'either',
    });
  });

  it('classifies a clear increase as High, a clear decrease as Low, a like-for-like canary as Pass', () => {
    const high = classifyMetric(higher, baseline, config());
    expect(high.classification).toBe('High');
    expect(high.critical).toBe(false);
    expect(high.effect).toBeCloseTo(mean(higher) / mean(baseline), 12);
    expect(high.ciLow).toBeGreaterThan(0.25 * Math.abs(high.estimate as number));
    expect(classifyMetric(lower, baseline, config()).classification).toBe('Low');
    const pass = classifyMetric(similar, baseline, config());
    expect(pass.classification).toBe('Pass');
    expect(pass.ciLow).toBeLessThanOrEqual(0.25 * Math.abs(pass.estimate as number));
  });

  it('only flags the watched direction', () => {
    expect(classifyMetric(lower, baseline, config({ direction: 'increase' })).classification).toBe(
      'Pass',
    );
    expect(classifyMetric(higher, baseline, config({ direction: 'decrease' })).classification).toBe(
      'Pass',
    );
    expect(classifyMetric(higher, baseline, config({ direction: 'increase' })).classification).toBe(
      'High',
    );
  });

  it('needs the effect size past allowedIncrease/allowedDecrease as well (meanRatio and cles)', () => {
    const ratio = mean(higher) / mean(baseline); // about 1.29
    expect(
      classifyMetric(
        higher,
        baseline,
        config({ effectSize: { measure: 'meanRatio', allowedIncrease: 1.5 } }),
      ).classification,
    ).toBe('Pass');
    expect(
      classifyMetric(
        higher,
        baseline,
        config({ effectSize: { measure: 'meanRatio', allowedIncrease: ratio - 0.01 } }),
      ).classification,
    ).toBe('High');
    // Every canary value is above every baseline value: CLES is exactly 1.
    const cles = classifyMetric(higher, baseline, config({ effectSize: { measure: 'cles' } }));
    expect(cles).toMatchObject({ classification: 'High', effect: 1 });
    expect(
      classifyMetric(
        lower,
        baseline,
        config({ effectSize: { measure: 'cles', allowedDecrease: -0.1 } }),
      ).classification,
    ).toBe('Pass');
  });

  it('drops NaNs with nanStrategy remove', () => {
    const withNaN = [...higher.slice(0, 30), Number.NaN, ...higher.slice(30), Number.NaN];
    const result = classifyMetric(withNaN, baseline, config());
    expect(result.classification).toBe('High');
    expect(result.canaryMean).toBeCloseTo(mean(higher), 12);
  });

  it('turns NaNs into 0 with nanStrategy replace: an all-NaN baseline becomes zeros, and errors show High with no ratio', () => {
    const result = classifyMetric(
      [3, 1, 4, 1, 5, 9, 2, 6],
      Array(8).fill(Number.NaN),
      config({ nanStrategy: 'replace' }),
    );
    expect(result.classification).toBe('High');
    expect(result.baselineMean).toBe(0);
    expect(result.effect).toBeUndefined();
  });

  it('classifies missing data as Nodata, NodataFailure with mustHaveData, and critical Nodata when critical', () => {
    const nan = [Number.NaN, Number.NaN];
    expect(classifyMetric(nan, baseline, config())).toMatchObject({
      classification: 'Nodata',
      critical: false,
    });
    expect(classifyMetric(baseline, [], config({ mustHaveData: true }))).toMatchObject({
      classification: 'NodataFailure',
      critical: false,
    });
    expect(classifyMetric(nan, baseline, config({ critical: true }))).toMatchObject({
      classification: 'Nodata',
      critical: true,
    });
    expect(
      classifyMetric([], baseline, config({ critical: true, mustHaveData: true })),
    ).toMatchObject({ classification: 'Nodata', critical: true });
    // kanari: no points at all is no data even with replace (Kayenta passes it).
    expect(classifyMetric([], baseline, config({ nanStrategy: 'replace' })).classification).toBe(
      'Nodata',
    );
  });

  it('passes identical data and compares two different constants without noise', () => {
    expect(classifyMetric([3, 1, 2], [1, 2, 3], config())).toMatchObject({
      classification: 'Pass',
      effect: 1,
    });
    expect(classifyMetric([0, 0, 0], [0, 0], config()).classification).toBe('Pass');
    expect(classifyMetric([5, 5, 5], [3, 3, 3, 3], config())).toMatchObject({
      classification: 'High',
      estimate: 2,
      ciLow: 2,
      ciHigh: 2,
    });
  });

  it('marks a critical High as critical only past criticalIncrease', () => {
    expect(classifyMetric(higher, baseline, config({ critical: true }))).toMatchObject({
      classification: 'High',
      critical: true,
    });
    const mild = classifyMetric(
      higher,
      baseline,
      config({ critical: true, effectSize: { measure: 'meanRatio', criticalIncrease: 2 } }),
    );
    expect(mild).toMatchObject({ classification: 'High', critical: false });
  });

  it('reports a test that cannot run as Error, critical when the metric is', () => {
    expect(
      classifyMetric(higher, baseline, config({ confidence: 1.5, critical: true })),
    ).toMatchObject({ classification: 'Error', critical: true });
  });
});

describe('removeOutliers (IQRDetector, factor 3, reduced sensitivity)', () => {
  it("keeps Kayenta's own reduced-sensitivity case: one 20 among ten 1s stays", () => {
    const data = [1, 1, 1, 1, 1, 20, 1, 1, 1, 1, 1];
    expect(removeOutliers(data)).toEqual(data);
  });

  it('drops a spike above the 99th percentile and the 3×IQR fence in a long series', () => {
    // 120 points in [10, 12] and 1000: p99 (commons-math, position 0.99·122 = 120.78) is
    // s[119] + 0.78·(1000 − s[119]) < 783, and Q3 + 3·IQR ≤ 18, so 1000 is outside.
    const data = [...series(9, 120, 10, 12), 1000];
    expect(removeOutliers(data)).toEqual(data.slice(0, 120));
    const keep = classifyMetric(data, series(8, 120, 10, 12), config());
    const remove = classifyMetric(data, series(8, 120, 10, 12), config({ outliers: 'remove' }));
    expect(keep.canaryMean).toBeCloseTo(mean(data), 12);
    expect(remove.canaryMean).toBeCloseTo(mean(data.slice(0, 120)), 12);
  });
});

const r = (
  classification: KayentaMetricResult['classification'],
  critical = false,
): KayentaMetricResult => ({
  classification,
  critical,
  reason: classification,
});

describe('scoreMetrics (WeightedSumScorer, ThresholdScoreClassifier)', () => {
  const thresholds = { pass: 95, marginal: 75 };

  it('weights group pass rates; unweighted groups share what is left of 100', () => {
    const results = [
      { group: 'latency', weight: 60, result: r('Pass') },
      { group: 'latency', result: r('High') },
      { group: 'errors', result: r('Pass') },
    ];
    // 0.6 × 50 + 0.4 × 100
    expect(scoreMetrics(results, thresholds)).toMatchObject({
      score: 70,
      verdict: 'fail',
      criticalFailure: false,
    });
    expect(scoreMetrics(results, { pass: 70, marginal: 50 }).verdict).toBe('pass');
    expect(scoreMetrics(results, { pass: 71, marginal: 70 }).verdict).toBe('marginal');
  });

  it('splits equally without weights, counts NodataFailure against, and leaves Nodata out', () => {
    const results = [
      { group: 'a', result: r('Pass') },
      { group: 'a', result: r('Low') },
      { group: 'b', result: r('Pass') },
      { group: 'b', result: r('Nodata') },
      { group: 'c', result: r('Pass') },
      { group: 'c', result: r('Pass') },
      { group: 'c', result: r('Pass') },
      { group: 'c', result: r('NodataFailure') },
    ];
    // (50 + 100 + 75) / 3
    expect(scoreMetrics(results, thresholds)).toMatchObject({ score: 75, verdict: 'marginal' });
  });

  it('rounds to two decimals and scores an all-Nodata group as 100', () => {
    const results = [
      { group: 'a', result: r('Pass') },
      { group: 'a', result: r('High') },
      { group: 'a', result: r('Low') },
      { group: 'b', result: r('Nodata') },
      { group: 'c', result: r('Pass') },
    ];
    // (33.333… + 100 + 100) / 3 = 77.777…
    expect(scoreMetrics(results, thresholds).score).toBe(77.78);
  });

  it('fails with score 0 when half or more of the metrics are Nodata', () => {
    const results = [
      { group: 'a', result: r('Pass') },
      { group: 'a', result: r('Nodata') },
    ];
    expect(scoreMetrics(results, thresholds)).toMatchObject({
      score: 0,
      verdict: 'fail',
      criticalFailure: false,
    });
  });

  it('fails the canary outright on a critical failure, whatever the other metrics say', () => {
    const results = [
      ...Array.from({ length: 9 }, () => ({ group: 'a', result: r('Pass') })),
      { group: 'b', result: r('High', true) },
    ];
    expect(scoreMetrics(results, thresholds)).toMatchObject({
      score: 0,
      verdict: 'fail',
      criticalFailure: true,
    });
    // A critical metric that passes is no failure.
    expect(scoreMetrics([{ group: 'a', result: r('Pass', true) }], thresholds)).toMatchObject({
      score: 100,
      verdict: 'pass',
    });
  });
});
