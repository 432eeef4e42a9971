/**
 * The exact null distribution of the Mann–Whitney U statistic for samples of sizes m and n
 * without ties (R's dwilcox/pwilcox/qwilcox).
 *
 * The number of rank arrangements with U = u is the coefficient of q^u in the Gaussian binomial
 * [m+n choose m]_q = Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i). Counts are exact BigInts, so tail
 * probabilities keep their precision far out in the tails.
 */

/** The largest m·n the exact method accepts: the work grows as min(m, n)·m·n. */
export const MAX_EXACT_PAIRS = 10_000;

/** Cumulative counts and their total for U = 0..mn. */
export interface WilcoxDistribution {
  m: number;
  n: number;
  /** cumulative[u] = number of arrangements with U ≤ u. */
  cumulative: bigint[];
  total: bigint;
}

const bitLength = (value: bigint): number => (value === 0n ? 0 : value.toString(2).length);

/** a / b as a double, even when both are far beyond Number.MAX_VALUE. */
const ratio = (a: bigint, b: bigint): number => {
  const shift = BigInt(Math.max(0, bitLength(b) - 1000));
  return Number(a >> shift) / Number(b >> shift);
};

/** Builds the distribution; the caller checks m·n ≤ MAX_EXACT_PAIRS. */
export const wilcoxDistribution = (m: number, n: number): WilcoxDistribution => {
  // The distribution is symmetric in (m, n): loop over the smaller size.
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  let poly: bigint[] = [1n];
  for (let i = 1; i <= small; i++) {
    const step = large + i;
    const next = new Array<bigint>(poly.length + step).fill(0n);
    for (let k = 0; k < poly.length; k++) {
      next[k] = (next[k] ?? 0n) + (poly[k] ?? 0n);
      next[k + step] = (next[k + step] ?? 0n) - (poly[k] ?? 0n);
    }
    // Divide by (1 − q^i): s[k] = r[k] + s[k − i]; the quotient is a polynomial of degree i·large.
    for (let k = i; k < next.length; k++) next[k] = (next[k] ?? 0n) + (next[k - i] ?? 0n);
    poly = next.slice(0, i * large + 1);
  }
  const cumulative: bigint[] = [];
  let running = 0n;
  for (const count of poly) {
    running += count;
    cumulative.push(running);
  }
  return { m, n, cumulative, total: running };
};

const countAtMost = (d: WilcoxDistribution, u: number): bigint => {
  if (u < 0) return 0n;
  const k = Math.min(Math.floor(u), d.cumulative.length - 1);
  return d.cumulative[k] ?? 0n;
};

/** P(U ≤ u). */
export const pwilcox = (d: WilcoxDistribution, u: number): number =>
  ratio(countAtMost(d, u), d.total);

/** P(U ≥ u), computed from the upper counts so that small tails stay exact. */
export const pwilcoxUpper = (d: WilcoxDistribution, u: number): number =>
  ratio(d.total - countAtMost(d, Math.ceil(u) - 1), d.total);

/**
 * R's qwilcox(p, m, n): the smallest u with P(U ≤ u) ≥ p, with R's fuzz of 10·ε so that a p
 * that equals a cumulative probability up to rounding lands on it.
 */
export const qwilcox = (d: WilcoxDistribution, p: number): number => {
  const mn = d.m * d.n;
  if (p <= 0.5) {
    const target = p - 10 * Number.EPSILON;
    for (let u = 0; u <= mn; u++) if (pwilcox(d, u) >= target) return u;
    return mn;
  }
  // Upper half: walk from the top, as R does, so the two halves are mirror images.
  const target = 1 - p + 10 * Number.EPSILON;
  for (let u = 0; u <= mn; u++) if (pwilcox(d, u) > target) return mn - u;
  return 0;
};
