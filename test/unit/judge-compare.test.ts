import { describe, expect, it } from 'vitest';
import {
  type CompareConfig,
  CountBucketError,
  compareVerdict,
  initialCompareState,
  observeBuckets,
  startStep,
} from '../../lib/domain/judge-compare.ts';
import { countTest } from '../../lib/domain/stats/count-test.ts';

const config: CompareConfig = {
  alpha: 0.01,
  tolerance: 1.5,
  k: 100,
  intervalK: 100,
  rareMargin: 0,
  minRequests: 200,
};

/** mulberry32: a small seeded PRNG, so the simulations are reproducible. */
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const binomial = (random: () => number, n: number, p: number): number => {
  let x = 0;
  for (let i = 0; i < n; i++) if (random() < p) x++;
  return x;
};

const bucket = (t: number, cr: number, cb: number, pr: number, pb: number) => ({
  t,
  canary: { requests: cr, bad: cb },
  primary: { requests: pr, bad: pb },
});

describe('the sequential compare test', () => {
  // One window with one share is the fixed-θ0 test: the grid mixture must match the closed
  // form (the prior is the same push-forward). Tolerance: 0.005 on log M (midpoint rule on
  // ~0.03-wide cells against a likelihood ≥ 0.2 wide); the bound is the next grid point out,
  // so within one cell (≤ 10% at these ρ) above the exact one.
  for (const [x, n, cr, pr] of [
    [5, 20, 100, 900],
    [12, 40, 100, 900],
    [3, 30, 200, 800],
    [25, 60, 300, 300],
  ] as [number, number, number, number][]) {
    it(`reproduces countTest for one window (X=${x}, N=${n}, θ0=${cr / (cr + pr)})`, () => {
      const state = observeBuckets(
        initialCompareState(config),
        [bucket(10, cr, x, pr, n - x)],
        config,
      );
      const { evidence } = compareVerdict(state, config);
      const closed = countTest({
        canaryEvents: x,
        totalEvents: n,
        canaryShare: cr / (cr + pr),
        k: 100,
        alpha: 0.01,
      });
      expect(Math.abs(evidence.logE - closed.logMOneSided)).toBeLessThan(0.005);
      expect(evidence.rhoHigh).not.toBeNull();
      expect(evidence.rhoHigh as number).toBeGreaterThanOrEqual(closed.rateRatioUpper);
      expect(evidence.rhoHigh as number).toBeLessThan(closed.rateRatioUpper * 1.1);
    });
  }

  it('under ρ = 1 with the share changing at every bucket, false rejections stay ≤ α', () => {
    const cfg = { ...config, alpha: 0.05 };
    const random = mulberry32(20240808);
    const runs = 600;
    let rejected = 0;
    for (let run = 0; run < runs; run++) {
      let state = initialCompareState(cfg);
      for (let t = 1; t <= 120; t++) {
        const share = 0.02 + 0.5 * random();
        const cr = Math.round(400 * share);
        const pr = 400 - cr;
        state = observeBuckets(
          state,
          [bucket(t * 10, cr, binomial(random, cr, 0.01), pr, binomial(random, pr, 0.01))],
          cfg,
        );
        if (compareVerdict(state, cfg).verdict === 'regression') {
          rejected++;
          break;
        }
      }
    }
    // Ville's inequality bounds the chance that the e-process ever reaches 1/α by α.
    expect(rejected / runs).toBeLessThanOrEqual(cfg.alpha);
  }, 60_000);

  it('catches errors doubling (1% → 2%) within the simulated half hour', () => {
    const random = mulberry32(7);
    let caught = 0;
    for (let run = 0; run < 40; run++) {
      let state = initialCompareState(config);
      for (let t = 1; t <= 180; t++) {
        state = observeBuckets(
          state,
          [bucket(t * 10, 100, binomial(random, 100, 0.02), 900, binomial(random, 900, 0.01))],
          config,
        );
        if (compareVerdict(state, config).verdict === 'regression') {
          caught++;
          break;
        }
      }
    }
    expect(caught).toBeGreaterThanOrEqual(38);
  });

  it('a shared incident raises both sides together and is not a regression', () => {
    let state = initialCompareState(config);
    for (let t = 1; t <= 6; t++)
      state = observeBuckets(state, [bucket(t * 10, 100, 10, 900, 90)], config);
    const { verdict, evidence } = compareVerdict(state, config);
    expect(verdict).not.toBe('regression');
    expect(evidence.rateRatio).toBeCloseTo(1, 9);
  });

  it('rolls back on a clear regression and says why in one line', () => {
    const state = observeBuckets(
      initialCompareState({ ...config, label: 'errors' }),
      [bucket(10, 1000, 60, 9000, 90)],
      config,
    );
    const { verdict, evidence } = compareVerdict(state, { ...config, label: 'errors' });
    expect(verdict).toBe('regression');
    expect(evidence.eValue).toBeGreaterThanOrEqual(100);
    expect(evidence.reason).toMatch(
      /^canary errors 6× primary \(99% CI [\d.]+–[\d.]+\), e-value .* ≥ 100 → roll back$/,
    );
  });

  it('promotes only once the step has served minRequests canary requests', () => {
    const many = Array.from({ length: 20 }, (_, i) => bucket(i * 10 + 10, 1000, 10, 9000, 90));
    let state = observeBuckets(initialCompareState(config), many, config);
    expect(compareVerdict(state, config).verdict).toBe('non-inferior');
    expect(compareVerdict(state, config).evidence.reason).toMatch(/< 1.5\) → non-inferior$/);
    state = observeBuckets(startStep(state), [bucket(300, 100, 1, 900, 9)], config);
    const held = compareVerdict(state, config);
    expect(held.verdict).toBe('inconclusive');
    expect(held.evidence.stepCanaryRequests).toBe(100);
    expect(held.evidence.requestsNeeded).toBeGreaterThanOrEqual(100);
    expect(held.evidence.reason).toMatch(/^inconclusive: about [\d,]+ more canary requests \(/);
  });

  it('says how much more traffic thin data needs, and waits when there is none', () => {
    let state = observeBuckets(initialCompareState(config), [bucket(10, 5, 0, 95, 1)], config);
    const thin = compareVerdict(state, config);
    expect(thin.verdict).toBe('inconclusive');
    expect(thin.evidence.requestsNeeded).toBeGreaterThan(100);
    expect(thin.evidence.minutesNeeded).toBeGreaterThan(0);
    state = observeBuckets(state, [bucket(20, 0, 0, 0, 0)], config);
    const quiet = compareVerdict(state, config);
    expect(quiet.evidence.waitingForTraffic).toBe(true);
    expect(quiet.evidence.reason).toBe('waiting for traffic');
    expect(compareVerdict(initialCompareState(config), config).evidence.waitingForTraffic).toBe(
      true,
    );
  });

  it('keeps a small, finite, JSON-round-trippable state on huge counts', () => {
    const state = observeBuckets(
      initialCompareState(config),
      [bucket(10, 1e9, 2e7, 9e9, 1e8)],
      config,
    );
    const copy = JSON.parse(JSON.stringify(state));
    expect(copy).toEqual(state);
    expect(state.logLR.every(Number.isFinite)).toBe(true);
    expect(JSON.stringify(state).length).toBeLessThan(8000);
    const { evidence } = compareVerdict(copy, config);
    expect(Number.isFinite(evidence.eValue)).toBe(true);
    expect(Number.isFinite(evidence.logE)).toBe(true);
  });

  it('ignores buckets with no bad events for the evidence, and rejects impossible counts', () => {
    const a = observeBuckets(initialCompareState(config), [bucket(10, 100, 0, 900, 0)], config);
    expect(a.logLR.every((v) => v === 0)).toBe(true);
    expect(a.canary.requests).toBe(100);
    expect(() => observeBuckets(a, [bucket(20, 10, 11, 0, 0)], config)).toThrow(CountBucketError);
    expect(() => observeBuckets(a, [bucket(20, -1, 0, 0, 0)], config)).toThrow(
      /buckets\[0\]\.canary/,
    );
  });
});

describe('the interval prior and the rare-event rule', () => {
  it('takes the confidence sequence from intervalK and the e-value from k', () => {
    // One window: each half must match the closed-form test at its own concentration.
    const cfg: CompareConfig = { ...config, k: 30, intervalK: 300 };
    const state = observeBuckets(initialCompareState(cfg), [bucket(10, 100, 12, 900, 28)], cfg);
    const { evidence } = compareVerdict(state, cfg);
    const at = (k: number) =>
      countTest({ canaryEvents: 12, totalEvents: 40, canaryShare: 0.1, k, alpha: 0.01 });
    expect(Math.abs(evidence.logE - at(30).logMOneSided)).toBeLessThan(0.005);
    expect(evidence.rhoHigh as number).toBeGreaterThanOrEqual(at(300).rateRatioUpper);
    expect(evidence.rhoHigh as number).toBeLessThan(at(300).rateRatioUpper * 1.1);
  });

  // 0.1% errors, 60 000 canary and 540 000 primary requests, the canary's share of the events
  // exactly its share of the requests: the interval for ρ is still wider than 1.5, so only
  // the rare-event rule can promote.
  const rare = [bucket(10, 60_000, 60, 540_000, 540)];
  it('promotes a healthy canary with rare bad events only under the margin', () => {
    const off: CompareConfig = { ...config, rareMargin: 0 };
    const on: CompareConfig = { ...config, rareMargin: 0.002 };
    const state = observeBuckets(initialCompareState(off), rare, off);
    const without = compareVerdict(state, off);
    expect(without.verdict).toBe('inconclusive');
    const high = without.evidence.rhoHigh as number;
    expect(high).toBeGreaterThan(1.5);
    // (ρ_high − 1) × 0.1% must be within 0.2 pp: true here, so the margin decides.
    expect((high - 1) * 0.001).toBeLessThanOrEqual(0.002);
    expect(compareVerdict(state, on).verdict).toBe('non-inferior');
  });

  it('does not promote under the margin when the primary is not rare', () => {
    // 1% errors on both sides, one twentieth of the counts: (ρ_high − 1) × 1% > 0.2 pp.
    const on: CompareConfig = { ...config, rareMargin: 0.002 };
    const state = observeBuckets(initialCompareState(on), [bucket(10, 3000, 30, 27_000, 270)], on);
    const { verdict, evidence } = compareVerdict(state, on);
    expect(evidence.rhoHigh as number).toBeGreaterThan(1.5);
    expect(verdict).toBe('inconclusive');
  });

  it('under errors doubling at 1%, the margin adds no promotion', () => {
    const random = mulberry32(81);
    const on: CompareConfig = { ...config, k: 30, intervalK: 300, rareMargin: 0.002 };
    let promoted = 0;
    for (let run = 0; run < 100; run++) {
      let state = initialCompareState(on);
      for (let i = 1; i <= 180; i++) {
        state = observeBuckets(
          state,
          [bucket(i * 10, 100, binomial(random, 100, 0.02), 900, binomial(random, 900, 0.01))],
          on,
        );
        const { verdict } = compareVerdict(state, on);
        if (verdict === 'non-inferior') promoted++;
        if (verdict !== 'inconclusive') break;
      }
    }
    expect(promoted).toBe(0);
  });
});
