import { betaln, logBetaUpperTail, logSigmoids } from './special.ts';

export interface CountTestInput {
  canaryEvents: number;
  totalEvents: number;
  canaryShare: number;
  k: number;
  alpha: number;
}
export interface CountTestResult {
  logM: number;
  logMOneSided: number;
  p: number;
  /** Infinity when the data cannot bound ρ from above (N = 0, or every event the canary's). */
  rateRatioUpper: number;
}

/** The inputs break the test's domain (the CLI's zod schema catches these first). */
export class CountTestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CountTestInputError';
  }
}

const logit = (p: number): number => Math.log(p) - Math.log1p(-p);

const check = (input: CountTestInput): void => {
  const { canaryEvents: x, totalEvents: n, canaryShare: t, k, alpha } = input;
  if (!Number.isInteger(n) || n < 0) throw new CountTestInputError('totalEvents: an integer ≥ 0');
  if (!Number.isInteger(x) || x < 0 || x > n)
    throw new CountTestInputError('canaryEvents: an integer between 0 and totalEvents');
  if (!(t > 0 && t < 1)) throw new CountTestInputError('canaryShare: strictly between 0 and 1');
  if (!(k > 0 && Number.isFinite(k))) throw new CountTestInputError('k: a finite number > 0');
  if (!(alpha > 0 && alpha < 1)) throw new CountTestInputError('alpha: strictly between 0 and 1');
};

/**
 * log of the mixture likelihood ratio of X canary events among N against the point θ' =
 * sigmoid(u + logit θ0), i.e. against ρ' = e^u, with the Beta(kθ0, k(1−θ0)) prior on θ.
 * Convex in u, smallest at θ' = X/N.
 */
const logMixtureAgainst = (x: number, n: number, theta0: number, k: number, u: number): number => {
  const a = k * theta0;
  const b = k * (1 - theta0);
  const { logTheta, logOneMinus } = logSigmoids(u + logit(theta0));
  const bx = x === 0 ? 0 : x * logTheta;
  const by = n - x === 0 ? 0 : (n - x) * logOneMinus;
  return betaln(a + x, b + n - x) - betaln(a, b) - bx - by;
};

/**
 * The upper end of {ρ' : mixture LR against ρ' < 1/α}. The set is an interval in log ρ'
 * (the log LR is convex there), so bisection from its minimiser finds the boundary; the
 * returned end is the outer side of the final bracket, which keeps the set conservative.
 */
const upperRateRatio = (x: number, n: number, theta0: number, k: number, alpha: number): number => {
  if (n === 0 || x === n) return Number.POSITIVE_INFINITY;
  const level = -Math.log(alpha);
  const f = (u: number) => logMixtureAgainst(x, n, theta0, k, u) - level;
  // At the MLE the mixture is at most the maximised likelihood, so f(lo) ≤ −level < 0.
  let lo = x === 0 ? -60 - Math.abs(logit(theta0)) : logit(x / n) - logit(theta0);
  let step = 1;
  let hi = lo + step;
  while (f(hi) < 0) {
    lo = hi;
    step *= 2;
    hi = lo + step;
    if (hi > 1e4) return Number.POSITIVE_INFINITY;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return Math.exp(hi);
};

/**
 * Fixed-θ0 Beta(kθ0, k(1−θ0)) mixture test of "each of N bad events is the canary's with
 * probability θ0" (issue 8 §3): log M in closed form, the one-sided log M with the prior
 * truncated to θ > θ0, p = min(1, 1/M) from the two-sided M, and the upper end of the 1 − α
 * confidence set for ρ = θ(1 − θ0) / ((1 − θ)θ0). Everything is computed in logs, so N = 1e9
 * does not overflow. N = 0 gives log M = 0, p = 1 and an unbounded (Infinity) upper end.
 */
export const countTest = (input: CountTestInput): CountTestResult => {
  check(input);
  const { canaryEvents: x, totalEvents: n, canaryShare: theta0, k, alpha } = input;
  const a = k * theta0;
  const b = k * (1 - theta0);
  const logM = n === 0 ? 0 : logMixtureAgainst(x, n, theta0, k, 0);
  // Truncating the prior to θ > θ0: M₊ = M · P_post(θ > θ0) / P_prior(θ > θ0).
  const logMOneSided =
    n === 0
      ? 0
      : logM + logBetaUpperTail(theta0, a + x, b + n - x) - logBetaUpperTail(theta0, a, b);
  return {
    logM,
    logMOneSided,
    p: Math.min(1, Math.exp(-logM)),
    rateRatioUpper: upperRateRatio(x, n, theta0, k, alpha),
  };
};
