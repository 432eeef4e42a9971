import { describe, expect, it } from 'vitest';
import { CountTestInputError, countTest } from '../../lib/domain/stats/count-test.ts';

// Expected values are computed here without the code under test or its special functions:
// exact products for small N (E_Beta[θ^X (1−θ)^(N−X)] = Π(a+i) Π(b+j) / Π(a+b+m)), and
// Simpson's rule in u = logit θ (where the Beta density is smooth even for a, b < 1).

const log1pexp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const logit = (p: number) => Math.log(p / (1 - p));

/** log M by exact products: log E_prior[θ^X (1−θ)^(N−X)] − log θ0^X (1−θ0)^(N−X). */
const exactLogM = (x: number, n: number, theta0: number, k: number, theta = theta0): number => {
  const a = k * theta0;
  const b = k * (1 - theta0);
  let s = 0;
  for (let i = 0; i < x; i++) s += Math.log(a + i);
  for (let j = 0; j < n - x; j++) s += Math.log(b + j);
  for (let m = 0; m < n; m++) s -= Math.log(a + b + m);
  return s - x * Math.log(theta) - (n - x) * Math.log1p(-theta);
};

/** log ∫_lo^hi e^{f(u)} du by composite Simpson with `steps` (even) intervals. */
const logSimpson = (f: (u: number) => number, lo: number, hi: number, steps = 200_000): number => {
  const h = (hi - lo) / steps;
  const values: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i <= steps; i++) {
    const v = f(lo + i * h);
    values.push(v);
    if (v > max) max = v;
  }
  let sum = 0;
  values.forEach((v, i) => {
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += w * Math.exp(v - max);
  });
  return max + Math.log((sum * h) / 3);
};

/** The integrand in u: unnormalised Beta(a, b) density in logit space times the LR vs θ0. */
const integrand = (x: number, n: number, theta0: number, k: number, withData: boolean) => {
  const a = k * theta0;
  const b = k * (1 - theta0);
  return (u: number) => {
    const lt = -log1pexp(-u);
    const l1 = -log1pexp(u);
    const data = withData ? x * (lt - Math.log(theta0)) + (n - x) * (l1 - Math.log1p(-theta0)) : 0;
    return a * lt + b * l1 + data;
  };
};

/** Quadrature log M (two-sided over [lo, hi], one-sided over [logit θ0, hi]) in logit space. */
const quadrature = (
  x: number,
  n: number,
  theta0: number,
  k: number,
  range = { lo: -500, hi: 500 },
) => {
  const prior = integrand(x, n, theta0, k, false);
  const post = integrand(x, n, theta0, k, true);
  const u0 = logit(theta0);
  const norm = logSimpson(prior, -800, 800, 400_000);
  const normUp = logSimpson(prior, u0, 800, 400_000);
  return {
    logM: logSimpson(post, range.lo, range.hi) - norm,
    logMOneSided: logSimpson(post, Math.max(u0, range.lo), range.hi) - normUp,
  };
};

const input = (canaryEvents: number, totalEvents: number, canaryShare: number, k = 100) => ({
  canaryEvents,
  totalEvents,
  canaryShare,
  k,
  alpha: 0.01,
});

// The quadratures take up to a second each; a loaded machine can take longer.
describe('countTest: the fixed-θ0 Beta mixture', { timeout: 30_000 }, () => {
  const cases: [number, number, number][] = [
    [5, 20, 0.1],
    [12, 40, 0.1],
    [0, 50, 0.1],
    [30, 30, 0.1],
    [3, 10, 0.001],
    [10, 10, 0.999],
    [7, 9, 0.5],
  ];
  for (const [x, n, t] of cases) {
    it(`matches exact products and quadrature for X=${x}, N=${n}, θ0=${t}`, () => {
      const r = countTest(input(x, n, t));
      expect(r.logM).toBeCloseTo(exactLogM(x, n, t, 100), 9);
      const q = quadrature(x, n, t, 100);
      expect(r.logM).toBeCloseTo(q.logM, 5);
      expect(r.logMOneSided).toBeCloseTo(q.logMOneSided, 5);
      expect(r.p).toBeCloseTo(Math.min(1, Math.exp(-exactLogM(x, n, t, 100))), 9);
    });
  }

  it('N = 0: log M = 0, p = 1, no upper bound', () => {
    expect(countTest(input(0, 0, 0.3))).toEqual({
      logM: 0,
      logMOneSided: 0,
      p: 1,
      rateRatioUpper: Number.POSITIVE_INFINITY,
    });
  });

  it('X = N leaves ρ unbounded above; X = 0 bounds it below 1 on enough events', () => {
    expect(countTest(input(30, 30, 0.1)).rateRatioUpper).toBe(Number.POSITIVE_INFINITY);
    const none = countTest(input(0, 200, 0.1));
    expect(none.rateRatioUpper).toBeLessThan(1);
    expect(none.logMOneSided).toBeLessThan(0);
  });

  for (const [x, n, t] of [
    [5, 20, 0.1],
    [0, 50, 0.1],
    [3, 10, 0.001],
    [40, 60, 0.5],
  ] as [number, number, number][]) {
    it(`the upper bound for ρ matches a scan of the exact LR (X=${x}, N=${n}, θ0=${t})`, () => {
      const level = Math.log(100);
      const thetaOf = (logRho: number) => 1 / (1 + Math.exp(-(logRho + logit(t))));
      let last = Number.NaN;
      const stepSize = 1e-4;
      for (
        let l = Math.log(Math.max(x / n, 1e-9) / (1 - x / n + 1e-12)) - logit(t);
        l < 20;
        l += stepSize
      )
        if (exactLogM(x, n, t, 100, thetaOf(l)) < level) last = l;
      const upper = countTest(input(x, n, t)).rateRatioUpper;
      expect(Math.log(upper)).toBeGreaterThanOrEqual(last - 1e-9);
      expect(Math.log(upper)).toBeLessThan(last + stepSize);
    });
  }

  it('N = 1e9 stays finite and matches quadrature around the peak', () => {
    const n = 1e9;
    for (const x of [1e8, 100_030_000]) {
      const r = countTest(input(x, n, 0.1));
      const sigma = Math.sqrt(1 / x + 1 / (n - x));
      const centre = logit(x / n);
      const q = quadrature(x, n, 0.1, 100, { lo: centre - 40 * sigma, hi: centre + 40 * sigma });
      expect(r.logM).toBeCloseTo(q.logM, 3);
      expect(r.logMOneSided).toBeCloseTo(q.logMOneSided, 3);
      expect(Number.isFinite(r.rateRatioUpper)).toBe(true);
    }
  });

  it('N = 1e9 with no canary events: a finite, very negative one-sided log M', () => {
    const r = countTest(input(0, 1e9, 0.1));
    const u0 = logit(0.1);
    const q = quadrature(0, 1e9, 0.1, 100, { lo: u0, hi: u0 + 1e-6 });
    expect(Number.isFinite(r.logMOneSided)).toBe(true);
    expect(r.logMOneSided).toBeCloseTo(q.logMOneSided, 3);
    expect(r.p).toBe(0);
  });

  it('rejects counts outside the domain, naming the field', () => {
    expect(() => countTest(input(5, 3, 0.1))).toThrow(CountTestInputError);
    expect(() => countTest(input(-1, 3, 0.1))).toThrow(/canaryEvents/);
    expect(() => countTest(input(1, 3, 1))).toThrow(/canaryShare/);
    expect(() => countTest({ ...input(1, 3, 0.5), alpha: 0 })).toThrow(/alpha/);
  });
});
