// PLACEHOLDER: replaced by the real module at merge
/**
 * Stand-in for the Mann–Whitney test (seam S2): normal approximation with the tie-corrected
 * variance, no continuity correction, the Hodges–Lehmann estimate and the distribution-free
 * interval from order statistics of the pairwise differences (found by bisection on the value,
 * so it never builds the n1·n2 differences).
 */
export interface MannWhitneyInput {
  x: number[];
  y: number[];
  alternative: 'two-sided' | 'less' | 'greater';
  continuity: boolean;
  method: 'asymptotic' | 'exact';
  confidence: number;
}
export interface MannWhitneyResult {
  u: number;
  z: number | null;
  p: number;
  estimate: number;
  ciLow: number;
  ciHigh: number;
}

// Abramowitz–Stegun 7.1.26: good to 1.5e-7, plenty for a stand-in.
const phi = (z: number): number => {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
};
const quantile = (p: number): number => {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
};

/** How many pairwise differences x_i − y_j are ≤ v (x, y sorted ascending). */
const countAtMost = (x: Float64Array, y: Float64Array, v: number): number => {
  let count = 0;
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    while (j < y.length && (x[i] as number) - (y[j] as number) > v) j++;
    count += y.length - j;
  }
  return count;
};
/** The r-th smallest (1-based) pairwise difference. */
const kthDifference = (x: Float64Array, y: Float64Array, r: number): number => {
  let lo = (x[0] as number) - (y[y.length - 1] as number);
  let hi = (x[x.length - 1] as number) - (y[0] as number);
  for (let i = 0; i < 100 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (countAtMost(x, y, mid) >= r) hi = mid;
    else lo = mid;
  }
  return hi;
};

/** Placeholder (see the file's first line). */
export const mannWhitney = (input: MannWhitneyInput): MannWhitneyResult => {
  const n1 = input.x.length;
  const n2 = input.y.length;
  const all = [...input.x.map((v) => ({ v, g: 0 })), ...input.y.map((v) => ({ v, g: 1 }))].sort(
    (a, b) => a.v - b.v,
  );
  let rankSumX = 0;
  let ties = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]?.v === all[i]?.v) j++;
    const rank = (i + 1 + j) / 2;
    for (let m = i; m < j; m++) if (all[m]?.g === 0) rankSumX += rank;
    ties += (j - i) ** 3 - (j - i);
    i = j;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  const z = variance > 0 ? (u - (n1 * n2) / 2) / Math.sqrt(variance) : null;
  const p =
    z === null
      ? 1
      : input.alternative === 'greater'
        ? 1 - phi(z)
        : input.alternative === 'less'
          ? phi(z)
          : Math.min(1, 2 * (1 - phi(Math.abs(z))));
  const x = Float64Array.from(input.x).sort();
  const y = Float64Array.from(input.y).sort();
  const pairs = n1 * n2;
  const estimate =
    (kthDifference(x, y, Math.floor((pairs + 1) / 2)) +
      kthDifference(x, y, Math.ceil((pairs + 1) / 2))) /
    2;
  const c = Math.max(
    1,
    Math.floor(
      pairs / 2 - quantile(1 - (1 - input.confidence) / 2) * Math.sqrt((pairs * (n + 1)) / 12),
    ),
  );
  return {
    u,
    z,
    p,
    estimate,
    ciLow: kthDifference(x, y, c),
    ciHigh: kthDifference(x, y, pairs - c + 1),
  };
};
