import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import {
  MAX_EXACT_PAIRS,
  pwilcox,
  pwilcoxUpper,
  qwilcox,
  wilcoxDistribution,
} from './wilcox-distribution.ts';

export type MannWhitneyAlternative = 'two-sided' | 'less' | 'greater';

export interface MannWhitneyInput {
  x: number[];
  y: number[];
  alternative: MannWhitneyAlternative;
  continuity: boolean;
  method: 'asymptotic' | 'exact';
  confidence: number;
}

export interface MannWhitneyResult {
  /** scipy's U1: the rank sum of x less n1(n1+1)/2, with mid-ranks for ties. */
  u: number;
  /** The standardised statistic of x (positive when x tends to be larger); null for exact or all ties. */
  z: number | null;
  p: number;
  /** Hodges–Lehmann: the median of the pairwise differences x − y. */
  estimate: number;
  /** R wilcox.test's interval for the shift x − y; ±Infinity on the open side of a one-sided test. */
  ciLow: number;
  ciHigh: number;
}

/** The input cannot be tested; the message starts with the field at fault. */
export class MannWhitneyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MannWhitneyInputError';
  }
}

const phi = (z: number): number => normalCdf(z, 0, 1);
const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** Rank sum of x − shift among (x − shift) ∪ y with mid-ranks, and the tie term Σ(t³ − t). */
const rankSum = (xs: readonly number[], ys: readonly number[], shift: number) => {
  let i = 0;
  let j = 0;
  let rank = 0;
  let sumX = 0;
  let ties = 0;
  while (i < xs.length || j < ys.length) {
    const xv = i < xs.length ? (xs[i] as number) - shift : Number.POSITIVE_INFINITY;
    const yv = j < ys.length ? (ys[j] as number) : Number.POSITIVE_INFINITY;
    const value = Math.min(xv, yv);
    let inX = 0;
    let inY = 0;
    while (i < xs.length && (xs[i] as number) - shift === value) {
      inX++;
      i++;
    }
    while (j < ys.length && ys[j] === value) {
      inY++;
      j++;
    }
    const t = inX + inY;
    sumX += inX * (rank + (t + 1) / 2);
    ties += t ** 3 - t;
    rank += t;
  }
  return { sumX, ties };
};

/** R's continuity correction: toward zero for two-sided, by the alternative's side otherwise. */
const correctionFor = (dz: number, alternative: MannWhitneyAlternative, continuity: boolean) => {
  if (!continuity) return 0;
  if (alternative === 'greater') return 0.5;
  if (alternative === 'less') return -0.5;
  return Math.sign(dz) * 0.5;
};

/** The tie-corrected normal statistic of x − shift against y (R's W(d)); NaN when all are tied. */
const standardised = (
  xs: readonly number[],
  ys: readonly number[],
  shift: number,
  alternative: MannWhitneyAlternative,
  continuity: boolean,
): number => {
  const m = xs.length;
  const n = ys.length;
  const big = m + n;
  const { sumX, ties } = rankSum(xs, ys, shift);
  const dz = sumX - (m * (m + 1)) / 2 - (m * n) / 2;
  const sigma = Math.sqrt(((m * n) / 12) * (big + 1 - ties / (big * (big - 1))));
  if (sigma === 0) return Number.NaN;
  return (dz - correctionFor(dz, alternative, continuity)) / sigma;
};

/** Number of pairs with x_i − y_j ≤ t, and the largest such difference (both lists sorted). */
const pairsAtMost = (xs: readonly number[], ys: readonly number[], t: number) => {
  let count = 0;
  let largest = Number.NEGATIVE_INFINITY;
  let j = 0;
  for (const x of xs) {
    // x − y ≤ t ⟺ y ≥ x − t; as x grows the first such y moves right.
    while (j < ys.length && (ys[j] as number) < x - t) j++;
    if (j === ys.length) break;
    count += ys.length - j;
    largest = Math.max(largest, x - (ys[j] as number));
  }
  return { count, largest };
};

/**
 * Bisection on the doubles of [lo, hi] for the step where `above(μ)` turns false, then a snap to
 * the pairwise difference at that step: every step of these functions sits on some x_i − y_j.
 */
const stepPoint = (
  xs: readonly number[],
  ys: readonly number[],
  lo: number,
  hi: number,
  above: (mu: number) => boolean,
): number => {
  let a = lo;
  let b = hi;
  for (;;) {
    const mid = a + (b - a) / 2;
    if (mid <= a || mid >= b) break;
    if (above(mid)) a = mid;
    else b = mid;
  }
  // x − μ is rounded, so a step can sit a few ulps off its pairwise difference: allow for that.
  const scale = Math.max(
    Math.abs(lo),
    Math.abs(hi),
    Math.abs(xs[0] as number),
    Math.abs(xs[xs.length - 1] as number),
  );
  const snapped = pairsAtMost(xs, ys, b + 8 * Number.EPSILON * scale).largest;
  return Math.abs(snapped - b) <= 8 * Number.EPSILON * scale || snapped >= a ? snapped : b;
};

/** The k-th smallest (1-based) pairwise difference x_i − y_j, without listing all m·n of them. */
const kthDifference = (xs: readonly number[], ys: readonly number[], k: number): number => {
  const lo = (xs[0] as number) - (ys[ys.length - 1] as number);
  const hi = (xs[xs.length - 1] as number) - (ys[0] as number);
  if (pairsAtMost(xs, ys, lo).count >= k) return lo;
  return stepPoint(xs, ys, lo, hi, (mu) => pairsAtMost(xs, ys, mu).count < k);
};

const hodgesLehmann = (xs: readonly number[], ys: readonly number[]): number => {
  const pairs = xs.length * ys.length;
  if (pairs % 2 === 1) return kthDifference(xs, ys, (pairs + 1) / 2);
  return (kthDifference(xs, ys, pairs / 2) + kthDifference(xs, ys, pairs / 2 + 1)) / 2;
};

/**
 * R's asymptotic interval: the shifts μ where the corrected statistic of x − μ crosses the normal
 * quantile (R solves it with uniroot to 1e-4; this finds the step exactly), clamped to
 * [min x − max y, max x − min y] as R does in extreme cases.
 */
const asymptoticInterval = (
  xs: readonly number[],
  ys: readonly number[],
  alternative: MannWhitneyAlternative,
  continuity: boolean,
  alpha: number,
): [number, number] => {
  const muMin = (xs[0] as number) - (ys[ys.length - 1] as number);
  const muMax = (xs[xs.length - 1] as number) - (ys[0] as number);
  if (muMin === muMax) return [muMin, muMax];
  const w = (mu: number) => standardised(xs, ys, mu, alternative, continuity);
  const root = (zq: number): number => {
    if (w(muMin) - zq <= 0) return muMin;
    if (w(muMax) - zq >= 0) return muMax;
    return stepPoint(xs, ys, muMin, muMax, (mu) => w(mu) - zq > 0);
  };
  const q = (p: number) => normalQuantile(p, 0, 1);
  if (alternative === 'greater') return [root(q(1 - alpha)), Number.POSITIVE_INFINITY];
  if (alternative === 'less') return [Number.NEGATIVE_INFINITY, root(q(alpha))];
  return [root(q(1 - alpha / 2)), root(q(alpha / 2))];
};

/** R's exact interval: order statistics of the pairwise differences at qwilcox. */
const exactInterval = (
  xs: readonly number[],
  ys: readonly number[],
  alternative: MannWhitneyAlternative,
  alpha: number,
  dist: ReturnType<typeof wilcoxDistribution>,
): [number, number] => {
  const pairs = xs.length * ys.length;
  const lowerIndex = (p: number) => Math.max(1, qwilcox(dist, p));
  if (alternative === 'greater')
    return [kthDifference(xs, ys, lowerIndex(alpha)), Number.POSITIVE_INFINITY];
  if (alternative === 'less')
    return [Number.NEGATIVE_INFINITY, kthDifference(xs, ys, pairs - lowerIndex(alpha) + 1)];
  const qu = lowerIndex(alpha / 2);
  return [kthDifference(xs, ys, qu), kthDifference(xs, ys, pairs - qu + 1)];
};

const validate = (input: MannWhitneyInput): void => {
  for (const field of ['x', 'y'] as const) {
    if (input[field].length === 0) throw new MannWhitneyInputError(`${field}: must not be empty`);
    if (!input[field].every(Number.isFinite))
      throw new MannWhitneyInputError(`${field}: every value must be a finite number`);
  }
  if (!(input.confidence > 0 && input.confidence < 1))
    throw new MannWhitneyInputError('confidence: must be strictly between 0 and 1');
};

/**
 * The Mann–Whitney U test (Wilcoxon rank-sum) of x against y, as scipy.stats.mannwhitneyu
 * computes u and p, with R wilcox.test's (conf.int = TRUE) interval for the shift x − y and the
 * Hodges–Lehmann estimate. The exact method falls back to the asymptotic one when there are
 * ties, as R does. Throws MannWhitneyInputError on empty or non-finite samples, a confidence
 * outside (0, 1), or an exact test larger than MAX_EXACT_PAIRS pairs.
 */
export const mannWhitney = (input: MannWhitneyInput): MannWhitneyResult => {
  validate(input);
  const xs = sorted(input.x);
  const ys = sorted(input.y);
  const m = xs.length;
  const n = ys.length;
  const { alternative, continuity } = input;
  const alpha = 1 - input.confidence;
  const u = rankSum(xs, ys, 0).sumX - (m * (m + 1)) / 2;
  const estimate = hodgesLehmann(xs, ys);
  const hasTies = new Set([...xs, ...ys]).size < m + n;

  if (input.method === 'exact' && !hasTies) {
    if (m * n > MAX_EXACT_PAIRS)
      throw new MannWhitneyInputError(
        `method: exact needs n1·n2 ≤ ${MAX_EXACT_PAIRS} (here ${m * n}); use asymptotic`,
      );
    const dist = wilcoxDistribution(m, n);
    const p =
      alternative === 'greater'
        ? pwilcoxUpper(dist, u)
        : alternative === 'less'
          ? pwilcox(dist, u)
          : Math.min(1, 2 * (u > (m * n) / 2 ? pwilcoxUpper(dist, u) : pwilcox(dist, u)));
    const [ciLow, ciHigh] = exactInterval(xs, ys, alternative, alpha, dist);
    return { u, z: null, p, estimate, ciLow, ciHigh };
  }

  const zValue = standardised(xs, ys, 0, alternative, continuity);
  const z = Number.isNaN(zValue) ? null : zValue;
  // Every observation tied: no evidence either way.
  const p =
    z === null
      ? 1
      : alternative === 'greater'
        ? phi(-z)
        : alternative === 'less'
          ? phi(z)
          : Math.min(1, 2 * Math.min(phi(z), phi(-z)));
  const [ciLow, ciHigh] = asymptoticInterval(xs, ys, alternative, continuity, alpha);
  return { u, z, p, estimate, ciLow, ciHigh };
};
