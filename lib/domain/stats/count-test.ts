// PLACEHOLDER: replaced by the real module at merge
/**
 * Stand-in for the fixed-θ0 Beta mixture of issue 8 §3, so the replay and the benchmark run end
 * to end before the real module lands. Lanczos log-gamma; the one-sided form is the two-sided
 * mixture when the canary's share of bad events is above θ0, else no evidence; the upper end of
 * the confidence set is found by bisection.
 */
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
  rateRatioUpper: number;
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const lgamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
};
const betaln = (a: number, b: number): number => lgamma(a) + lgamma(b) - lgamma(a + b);

/** Placeholder count test (see the file's first line). */
export const countTest = (input: CountTestInput): CountTestResult => {
  const { canaryEvents: x, totalEvents: n, canaryShare: t0, k, alpha } = input;
  const a = k * t0;
  const b = k * (1 - t0);
  const mixture = betaln(a + x, b + n - x) - betaln(a, b);
  const logMAt = (theta: number) =>
    mixture - (x > 0 ? x * Math.log(theta) : 0) - (n - x > 0 ? (n - x) * Math.log(1 - theta) : 0);
  const logM = logMAt(t0);
  const logMOneSided = n > 0 && x / n > t0 ? logM : 0;
  let lo = n > 0 ? x / n : t0;
  let hi = 1;
  const limit = Math.log(1 / alpha);
  if (n === 0 || x === n) hi = 1;
  else {
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (logMAt(mid) < limit) lo = mid;
      else hi = mid;
    }
  }
  const rateRatioUpper = hi >= 1 ? Number.POSITIVE_INFINITY : (hi * (1 - t0)) / ((1 - hi) * t0);
  return { logM, logMOneSided, p: Math.min(1, Math.exp(-logM)), rateRatioUpper };
};
