import { describe, expect, it } from 'vitest';
import {
  type MannWhitneyAlternative,
  MannWhitneyInputError,
  mannWhitney,
} from '../../lib/domain/stats/mann-whitney.ts';

// Every expected value here is computed independently of lib/: by enumeration, by pair counting,
// from scipy's and R's documented formulas written out below, or quoted from R's documentation.

/** Φ by Simpson's rule on the normal density (error far below 1e-10 for |z| < 10). */
const phi = (z: number): number => {
  const steps = 4000;
  const h = z / steps;
  const f = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(0) + f(z);
  for (let i = 1; i < steps; i++) sum += f(i * h) * (i % 2 === 1 ? 4 : 2);
  return 0.5 + (sum * h) / 3;
};
/** Φ⁻¹ by bisection on the Φ above. */
const qnorm = (p: number): number => {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
};

/** U1 as a pair count: x above y counts 1, a tie ½. */
const uByPairs = (x: number[], y: number[]): number =>
  x.reduce((s, a) => s + y.reduce((t, b) => t + (a > b ? 1 : a === b ? 0.5 : 0), 0), 0);

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const differences = (x: number[], y: number[]) =>
  x.flatMap((a) => y.map((b) => a - b)).sort((a, b) => a - b);

/** All C(m+n, m) equally likely rank sets for x; returns the U of each (no ties). */
const nullUs = (m: number, n: number): number[] => {
  const us: number[] = [];
  const pick = (start: number, left: number, sum: number) => {
    if (left === 0) {
      us.push(sum - (m * (m + 1)) / 2);
      return;
    }
    for (let r = start; r <= m + n; r++) pick(r + 1, left - 1, sum + r);
  };
  pick(1, m, 0);
  return us;
};

/** scipy.stats.mannwhitneyu, method='asymptotic', as its documentation and source describe it. */
const scipyAsymptoticP = (
  x: number[],
  y: number[],
  alternative: MannWhitneyAlternative,
  continuity: boolean,
): number => {
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const u1 = uByPairs(x, y);
  const u2 = n1 * n2 - u1;
  const counts = new Map<number, number>();
  for (const v of [...x, ...y]) counts.set(v, (counts.get(v) ?? 0) + 1);
  const tieTerm = [...counts.values()].reduce((s, t) => s + t ** 3 - t, 0);
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const [u, f] =
    alternative === 'greater' ? [u1, 1] : alternative === 'less' ? [u2, 1] : [Math.max(u1, u2), 2];
  const z = (u - (n1 * n2) / 2 - (continuity ? 0.5 : 0)) / s;
  return Math.min(1, Math.max(0, f * (1 - phi(z))));
};

/** R's W(d): the corrected normal statistic of x − d against y, ranks by counting. */
const rW = (
  x: number[],
  y: number[],
  d: number,
  alternative: MannWhitneyAlternative,
  correct: boolean,
) => {
  const all = [...x.map((v) => v - d), ...y];
  const rank = (v: number) =>
    all.filter((w) => w < v).length + (all.filter((w) => w === v).length + 1) / 2;
  const nx = x.length;
  const ny = y.length;
  const dz = x.reduce((s, v) => s + rank(v - d), 0) - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
  const counts = new Map<number, number>();
  for (const v of all) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ties = [...counts.values()].reduce((s, t) => s + t ** 3 - t, 0);
  const sigma = Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - ties / ((nx + ny) * (nx + ny - 1))));
  const c = !correct
    ? 0
    : alternative === 'greater'
      ? 0.5
      : alternative === 'less'
        ? -0.5
        : Math.sign(dz) * 0.5;
  return (dz - c) / sigma;
};

/**
 * R's root(zq) by a scan of μ: W is constant between consecutive pairwise differences, so the scan
 * visits every difference and every midpoint between two; uniroot converges to the step where
 * W − zq changes sign, which is the difference at (or just after) the last point still above.
 */
const scanRoot = (
  x: number[],
  y: number[],
  zq: number,
  alt: MannWhitneyAlternative,
  correct: boolean,
) => {
  const diffs = [...new Set(differences(x, y))];
  const lo = diffs[0] as number;
  const hi = diffs[diffs.length - 1] as number;
  if (rW(x, y, lo, alt, correct) - zq <= 0) return lo;
  if (rW(x, y, hi, alt, correct) - zq >= 0) return hi;
  const points = diffs.flatMap((d, i) => (i === 0 ? [d] : [((diffs[i - 1] as number) + d) / 2, d]));
  let last = 0;
  points.forEach((mu, i) => {
    if (rW(x, y, mu, alt, correct) - zq > 0) last = i;
  });
  return last % 2 === 0 ? (points[last] as number) : (points[last + 1] as number);
};

/** A fixed-seed generator, so the data sets are the same on every run. */
const lcg = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 2 ** 32;
  return seed / 2 ** 32;
};

const base = {
  alternative: 'two-sided',
  continuity: true,
  method: 'asymptotic',
  confidence: 0.95,
} as const;
const alternatives: MannWhitneyAlternative[] = ['two-sided', 'less', 'greater'];

describe('mannWhitney', () => {
  it("holds Kayenta's MannWhitneySuite case: [10,20,30,40] vs [1,2,3,4] at 95% gives [6, 39] and 22.5", () => {
    const input = { ...base, x: [10, 20, 30, 40], y: [1, 2, 3, 4] };
    const asymptotic = mannWhitney(input);
    expect([asymptotic.ciLow, asymptotic.ciHigh, asymptotic.estimate]).toEqual([6, 39, 22.5]);
    const exact = mannWhitney({ ...input, method: 'exact' });
    expect([exact.ciLow, exact.ciHigh, exact.estimate]).toEqual([6, 39, 22.5]);
    // Kayenta's R-backed suite quotes R's exact p for the same data.
    expect(exact.p).toBeCloseTo(0.02857142857142857, 15);
    expect(exact.u).toBe(16);
  });

  it("matches R's documented example (Hollander & Wolfe 1973, 69f): W = 35, p 0.1272 exact, 0.1103 large-sample", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const exact = mannWhitney({ ...base, x, y, alternative: 'greater', method: 'exact' });
    expect(exact.u).toBe(35);
    expect(exact.p.toFixed(4)).toBe('0.1272');
    const approx = mannWhitney({ ...base, x, y, alternative: 'greater', continuity: false });
    expect(approx.p.toFixed(4)).toBe('0.1103');
  });

  it('gives the exact p of full enumeration for every small size and alternative', () => {
    const rand = lcg(7);
    for (const [m, n] of [
      [1, 1],
      [1, 5],
      [3, 2],
      [4, 4],
      [5, 3],
      [3, 7],
      [6, 6],
    ] as const) {
      const values = Array.from({ length: m + n }, (_, i) => i + rand() * 0.5).sort(
        () => rand() - 0.5,
      );
      const x = values.slice(0, m);
      const y = values.slice(m);
      const us = nullUs(m, n);
      const u = uByPairs(x, y);
      const le = us.filter((v) => v <= u).length / us.length;
      const ge = us.filter((v) => v >= u).length / us.length;
      const want = { less: le, greater: ge, 'two-sided': Math.min(1, 2 * Math.min(le, ge)) };
      for (const alternative of alternatives) {
        const r = mannWhitney({ ...base, x, y, alternative, method: 'exact' });
        expect(r.u).toBe(u);
        expect(r.z).toBeNull();
        expect(r.p).toBeCloseTo(want[alternative], 12);
      }
    }
  });

  it("gives R's exact interval: the order statistics of x − y at qwilcox from enumeration", () => {
    const rand = lcg(11);
    for (const [m, n, confidence] of [
      [4, 4, 0.95],
      [5, 6, 0.9],
      [6, 6, 0.99],
      [3, 8, 0.8],
    ] as const) {
      const x = Array.from({ length: m }, () => rand() * 10 + 2);
      const y = Array.from({ length: n }, () => rand() * 10);
      const us = nullUs(m, n).sort((a, b) => a - b);
      const qwilcox = (p: number) => {
        for (let q = 0; ; q++)
          if (us.filter((v) => v <= q).length / us.length >= p - 1e-12) return q;
      };
      const diffs = differences(x, y);
      const alpha = 1 - confidence;
      const qu = Math.max(1, qwilcox(alpha / 2));
      const r = mannWhitney({ ...base, x, y, method: 'exact', confidence });
      expect([r.ciLow, r.ciHigh]).toEqual([diffs[qu - 1], diffs[m * n - qu]]);
      const q1 = Math.max(1, qwilcox(alpha));
      const greater = mannWhitney({
        ...base,
        x,
        y,
        method: 'exact',
        confidence,
        alternative: 'greater',
      });
      expect([greater.ciLow, greater.ciHigh]).toEqual([diffs[q1 - 1], Number.POSITIVE_INFINITY]);
      const less = mannWhitney({ ...base, x, y, method: 'exact', confidence, alternative: 'less' });
      expect([less.ciLow, less.ciHigh]).toEqual([Number.NEGATIVE_INFINITY, diffs[m * n - q1]]);
    }
  });

  it("gives U1, scipy's tie-corrected asymptotic p, and the Hodges–Lehmann median, with ties", () => {
    const rand = lcg(3);
    for (let trial = 0; trial < 12; trial++) {
      const x = Array.from({ length: 3 + trial }, () => Math.round(rand() * 8));
      const y = Array.from({ length: 2 + ((trial * 5) % 9) }, () => Math.round(rand() * 8 - 1));
      for (const alternative of alternatives)
        for (const continuity of [true, false]) {
          const r = mannWhitney({ ...base, x, y, alternative, continuity });
          expect(r.u).toBe(uByPairs(x, y));
          expect(r.p).toBeCloseTo(scipyAsymptoticP(x, y, alternative, continuity), 9);
          expect(r.estimate).toBe(median(differences(x, y)));
        }
    }
  });

  it("gives R's asymptotic interval, found here by scanning μ on the corrected z", () => {
    const rand = lcg(5);
    let moved = 0;
    for (let trial = 0; trial < 8; trial++) {
      // Mostly distinct values, with a few ties from rounding to 0.01.
      const x = Array.from({ length: 5 + trial }, () => Math.round(rand() * 800 + 100) / 100);
      const y = Array.from({ length: 4 + 2 * trial }, () => Math.round(rand() * 800) / 100);
      for (const continuity of [true, false]) {
        const alpha = 0.1;
        const opts = { ...base, x, y, continuity, confidence: 1 - alpha };
        const two = mannWhitney(opts);
        expect(two.ciLow).toBeCloseTo(
          scanRoot(x, y, qnorm(1 - alpha / 2), 'two-sided', continuity),
          9,
        );
        expect(two.ciHigh).toBeCloseTo(
          scanRoot(x, y, qnorm(alpha / 2), 'two-sided', continuity),
          9,
        );
        const greater = mannWhitney({ ...opts, alternative: 'greater' });
        expect(greater.ciLow).toBeCloseTo(
          scanRoot(x, y, qnorm(1 - alpha), 'greater', continuity),
          9,
        );
        expect(greater.ciHigh).toBe(Number.POSITIVE_INFINITY);
        const less = mannWhitney({ ...opts, alternative: 'less' });
        expect(less.ciHigh).toBeCloseTo(scanRoot(x, y, qnorm(alpha), 'less', continuity), 9);
        expect(less.ciLow).toBe(Number.NEGATIVE_INFINITY);
      }
      const plain = mannWhitney({ ...base, x, y, continuity: false, confidence: 0.9 });
      const corrected = mannWhitney({ ...base, x, y, continuity: true, confidence: 0.9 });
      if (plain.ciLow !== corrected.ciLow || plain.ciHigh !== corrected.ciHigh) moved++;
    }
    // The correction must matter somewhere, or this test would not see it.
    expect(moved).toBeGreaterThan(0);
  });

  it('treats n = 1 on both sides: U is 0 or 1, p is 1, the interval is the one difference', () => {
    const r = mannWhitney({ ...base, x: [3], y: [1] });
    expect(r).toMatchObject({ u: 1, p: 1, estimate: 2, ciLow: 2, ciHigh: 2 });
  });

  it('gives p = 1, no z and the interval [0, 0] for identical constant samples and all zeros', () => {
    for (const [x, y] of [
      [
        [5, 5, 5],
        [5, 5],
      ],
      [[0, 0, 0, 0], [0]],
    ]) {
      const r = mannWhitney({ ...base, x: x as number[], y: y as number[] });
      expect(r).toEqual({
        u: ((x as number[]).length * (y as number[]).length) / 2,
        z: null,
        p: 1,
        estimate: 0,
        ciLow: 0,
        ciHigh: 0,
      });
    }
  });

  it('gives p = 1 and a symmetric interval for the same sample on both sides', () => {
    const r = mannWhitney({ ...base, x: [1, 2, 3], y: [1, 2, 3] });
    expect(r.p).toBe(1);
    expect(r.estimate).toBe(0);
    expect(r.ciLow).toBe(-r.ciHigh);
  });

  it('handles heavy ties as the formulas do', () => {
    const x = [1, 1, 1, 1, 2, 2, 0];
    const y = [1, 1, 1, 0, 0, 0];
    const r = mannWhitney({ ...base, x, y });
    expect(r.u).toBe(uByPairs(x, y));
    expect(r.p).toBeCloseTo(scipyAsymptoticP(x, y, 'two-sided', true), 10);
    expect(r.estimate).toBe(median(differences(x, y)));
  });

  it('falls back to the normal approximation when exact is asked for with ties, as R does', () => {
    const input = { ...base, x: [1, 2, 2, 3], y: [0, 2, 4] };
    expect(mannWhitney({ ...input, method: 'exact' })).toEqual(mannWhitney(input));
  });

  it('copes with large samples: p of the formula, U of the pair count', () => {
    const rand = lcg(99);
    const x = Array.from({ length: 3000 }, () => Math.round(rand() * 1000));
    const y = Array.from({ length: 2500 }, () => Math.round(rand() * 1000) + 10);
    const r = mannWhitney({ ...base, x, y });
    expect(r.u).toBe(uByPairs(x, y));
    expect(r.p).toBeCloseTo(scipyAsymptoticP(x, y, 'two-sided', true), 8);
    expect(r.ciLow).toBeLessThanOrEqual(r.estimate);
    expect(r.ciHigh).toBeGreaterThanOrEqual(r.estimate);
  });

  it('refuses empty or non-finite samples, a confidence outside (0, 1) and too large an exact test', () => {
    const bad = [
      [{ ...base, x: [], y: [1] }, /^x: /],
      [{ ...base, x: [1], y: [Number.NaN] }, /^y: /],
      [{ ...base, x: [1], y: [2], confidence: 1 }, /^confidence: /],
      [{ ...base, x: [1], y: [2], confidence: 0 }, /^confidence: /],
      [
        {
          ...base,
          x: Array.from({ length: 200 }, (_, i) => i),
          y: Array.from({ length: 60 }, (_, i) => i + 0.5),
          method: 'exact',
        },
        /^method: /,
      ],
    ] as const;
    for (const [input, message] of bad) {
      expect(() => mannWhitney(input as Parameters<typeof mannWhitney>[0])).toThrow(
        MannWhitneyInputError,
      );
      expect(() => mannWhitney(input as Parameters<typeof mannWhitney>[0])).toThrow(message);
    }
  });
});
