import { logSigmoids, logSumExp } from './special.ts';

/**
 * A fixed grid on log ρ (ρ = canary rate / primary rate) for the sequential count test.
 * 200 cell midpoints of u = 9·sinh(3s)/sinh(3), s uniform on (−1, 1): cells are about 0.027
 * wide near ρ = 1, where verdicts are made, and widen to about 0.27 at the ends, ρ = e^±9.
 * No point sits at ρ = 1, so the one-sided half is exactly the upper 100 points.
 */
const POINTS = 200;
const SPREAD = 9;
const CURVE = 3;
const H = 2 / POINTS;

const build = () => {
  const u: number[] = [];
  const width: number[] = [];
  for (let i = 0; i < POINTS; i++) {
    const s = -1 + (i + 0.5) * H;
    u.push((SPREAD * Math.sinh(CURVE * s)) / Math.sinh(CURVE));
    width.push(((SPREAD * CURVE * Math.cosh(CURVE * s)) / Math.sinh(CURVE)) * H);
  }
  return { u, width };
};

/** The grid's log ρ values, increasing. */
const GRID = build();
export const LOG_RHO: readonly number[] = GRID.u;
const CELL: readonly number[] = GRID.width;
/** Index of the first grid point with ρ > 1. */
export const FIRST_ABOVE_ONE = POINTS / 2;

const logit = (p: number): number => Math.log(p) - Math.log1p(-p);

/**
 * Log prior weights on the grid: the push-forward to log ρ of Beta(kθ*, k(1−θ*)) on θ, for a
 * reference share θ* fixed before any evidence counts, discretised by the midpoint rule and
 * normalised to sum to 1 (two-sided) or to 1 over ρ > 1 (one-sided). A discrete prior makes
 * the mixture an exact test martingale whatever the grid's resolution; the grid only decides
 * how closely it tracks the continuous mixture.
 */
export const logPriorWeights = (refShare: number, k: number): PriorWeights => {
  // A judge asks for the same priors on every tick (one per k): keep the last few (a pure
  // function's cache).
  const key = `${refShare}:${k}`;
  const cached = priorCache.get(key);
  if (cached) return cached;
  const weights = computePrior(refShare, k);
  if (priorCache.size >= 8) priorCache.delete(priorCache.keys().next().value as string);
  priorCache.set(key, weights);
  return weights;
};

type PriorWeights = { readonly twoSided: readonly number[]; readonly oneSided: readonly number[] };
const priorCache = new Map<string, PriorWeights>();

const computePrior = (refShare: number, k: number): PriorWeights => {
  const a = k * refShare;
  const b = k * (1 - refShare);
  const c = logit(refShare);
  const raw = LOG_RHO.map((u, i) => {
    const { logTheta, logOneMinus } = logSigmoids(u + c);
    return a * logTheta + b * logOneMinus + Math.log(CELL[i] as number);
  });
  const all = logSumExp(raw);
  const upper = logSumExp(raw.slice(FIRST_ABOVE_ONE));
  return {
    twoSided: raw.map((w) => w - all),
    oneSided: raw.map((w, i) => (i < FIRST_ABOVE_ONE ? Number.NEGATIVE_INFINITY : w - upper)),
  };
};

/**
 * Adds one window's log likelihood ratio against ρ = 1 to `logLR` (in place): each of the
 * window's bad events is the canary's with probability θ(ρ) = ρθ0 / (ρθ0 + 1 − θ0).
 */
export const addWindow = (
  logLR: number[],
  canaryBad: number,
  primaryBad: number,
  theta0: number,
): void => {
  const c = logit(theta0);
  const { logTheta: l0, logOneMinus: m0 } = logSigmoids(c);
  for (let i = 0; i < logLR.length; i++) {
    const { logTheta, logOneMinus } = logSigmoids((LOG_RHO[i] as number) + c);
    logLR[i] =
      (logLR[i] as number) +
      (canaryBad > 0 ? canaryBad * (logTheta - l0) : 0) +
      (primaryBad > 0 ? primaryBad * (logOneMinus - m0) : 0);
  }
};

/** log of the mixture Σ w_i e^{S_i}. */
export const logMixture = (logWeights: readonly number[], logLR: readonly number[]): number =>
  logSumExp(logWeights.map((w, i) => w + (logLR[i] as number)));

/**
 * The confidence sequence {ρ' : mixture LR against ρ' < 1/α} on the grid. The log likelihood
 * is concave in log ρ, so the set is an interval; its ends are reported at the first excluded
 * grid point on each side (outward, so conservative), null where the grid's end is included.
 */
export const confidenceSet = (
  logWeights: readonly number[],
  logLR: readonly number[],
  alpha: number,
): { low: number | null; high: number | null; mle: number } => {
  const mix = logMixture(logWeights, logLR);
  const level = -Math.log(alpha);
  const inside = logLR.map((s) => mix - s < level);
  const first = inside.indexOf(true);
  const last = inside.lastIndexOf(true);
  let best = 0;
  for (let i = 1; i < logLR.length; i++)
    if ((logLR[i] as number) > (logLR[best] as number)) best = i;
  return {
    low: first > 0 ? Math.exp(LOG_RHO[first - 1] as number) : null,
    high: last >= 0 && last < logLR.length - 1 ? Math.exp(LOG_RHO[last + 1] as number) : null,
    mle: Math.exp(LOG_RHO[best] as number),
  };
};
