/**
 * A small seeded PRNG and the samplers the judge benchmark needs. Seeded so every run of the
 * benchmark draws the same traffic; exact samplers (no normal approximations), so the tails
 * the judges see are the model's.
 */

/** mulberry32: 32-bit state, period 2^32, good enough to simulate traffic (not for crypto). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Mixes a few integers into one 32-bit seed (splitmix-style), so each run has its own stream. */
export const seedOf = (...parts: number[]): number => {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
};

const LOG_FACTORIAL_TABLE = Array.from({ length: 16 }, (_, k) => {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
});
/** log k! (Stirling's series beyond the table; error below 1e-12 for k ≥ 16). */
const logFactorial = (k: number): number => {
  if (k < LOG_FACTORIAL_TABLE.length) return LOG_FACTORIAL_TABLE[k] as number;
  const x = k + 1;
  return (
    (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3)
  );
};

/** The samplers over one uniform source. */
export interface Sampler {
  uniform: () => number;
  normal: () => number;
  poisson: (mean: number) => number;
  binomial: (n: number, p: number) => number;
}

export const samplerOf = (uniform: () => number): Sampler => {
  let spare: number | null = null;
  /** Box–Muller; the second value is kept for the next call. */
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };

  /** Knuth's product method below 10, Hörmann's PTRS (transformed rejection) above. */
  const poisson = (mean: number): number => {
    if (mean <= 0) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let product = uniform();
      while (product > limit) {
        k++;
        product *= uniform();
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = uniform() - 0.5;
      const v = uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      )
        return k;
    }
  };

  /** Inversion from 0 (O(np) steps: fine for the rates here); n is split where q^n underflows. */
  const binomial = (n: number, p: number): number => {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(n, 1 - p);
    const q = 1 - p;
    if (n * -Math.log(q) > 600) {
      const half = Math.floor(n / 2);
      return binomial(half, p) + binomial(n - half, p);
    }
    const ratio = p / q;
    let pmf = q ** n;
    let cdf = pmf;
    const u = uniform();
    let k = 0;
    while (u > cdf && k < n) {
      pmf *= (ratio * (n - k)) / (k + 1);
      k++;
      cdf += pmf;
    }
    return k;
  };

  return { uniform, normal, poisson, binomial };
};
