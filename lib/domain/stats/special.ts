import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';

// stdlib's special functions are pure CommonJS arithmetic (no I/O at load or call time); their
// native add-ons are optional and never loaded by the JavaScript entry points used here.
export { betaln };

/** log(1 + e^x) without overflow. */
export const softplus = (x: number): number =>
  x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));

/** log θ and log(1 − θ) for θ = sigmoid(u), accurate in both tails. */
export const logSigmoids = (u: number): { logTheta: number; logOneMinus: number } => ({
  logTheta: -softplus(-u),
  logOneMinus: -softplus(u),
});

/** log Σ e^{x_i}; −Infinity for an empty list or all −Infinity. */
export const logSumExp = (xs: readonly number[]): number => {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > max) max = x;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - max);
  return max + Math.log(sum);
};

/**
 * The continued fraction of the incomplete beta (modified Lentz), which converges fast for
 * x < (a + 1) / (a + b + 2).
 */
const betaContinuedFraction = (x: number, a: number, b: number): number => {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
};

/**
 * log P(θ > x) for θ ~ Beta(a, b). Uses stdlib's regularized incomplete beta; where that
 * underflows (a far tail, e.g. a canary clearly better than the primary on huge counts), the
 * log of the continued-fraction form, so the result stays finite.
 */
export const logBetaUpperTail = (x: number, a: number, b: number): number => {
  if (x <= 0) return 0;
  if (x >= 1) return Number.NEGATIVE_INFINITY;
  const tail = betainc(x, a, b, true, true);
  if (tail > 1e-250) return Math.log(tail);
  // P(θ > x) = I_{1−x}(b, a) = (1−x)^b x^a / (b B(a, b)) · CF(1−x; b, a)
  const y = 1 - x;
  return (
    b * Math.log(y) +
    a * Math.log(x) -
    Math.log(b) -
    betaln(a, b) +
    Math.log(betaContinuedFraction(y, b, a))
  );
};
