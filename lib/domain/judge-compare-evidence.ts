import type {
  CompareConfig,
  CompareEvidence,
  CompareState,
  CompareVerdict,
} from './judge-compare.ts';

/** Buckets are 10 seconds long: the step's span runs from the start of its first bucket. */
const BUCKET_SECONDS = 10;

/**
 * Total canary requests after which the confidence sequence's half-width on the log ρ scale
 * shrinks from `width` to `target`, assuming it shrinks like 1/√n.
 */
const byScaling = (now: number, width: number, target: number): number =>
  now * (width / target) ** 2;

/**
 * Total canary requests from the expected events, for when the sequence is still unbounded:
 * the log rate ratio's variance near ρ = 1 is about 1/(N θ0(1−θ0)) for N bad events, and a
 * mixture boundary is about √(2 log(1/α) · variance) wide. The bad-event rate counts at least
 * one event, so a quiet start asks for a finite amount of traffic.
 */
const byExpectedEvents = (state: CompareState, theta0: number, alpha: number, target: number) => {
  const events = (2 * Math.log(1 / alpha)) / (target ** 2 * theta0 * (1 - theta0));
  const requests = state.canary.requests + state.primary.requests;
  const rate = Math.max(state.canary.bad + state.primary.bad, 1) / Math.max(requests, 1);
  return (theta0 * events) / rate;
};

const roundSignificant = (x: number): number => Number(x.toPrecision(2));

/**
 * Rough canary requests (and minutes at the step's canary traffic) still needed for a decision:
 * the nearer of non-inferiority (upper end below the tolerance, and the step's minRequests) and
 * regression (lower end above 1), measured from the grid's maximum-likelihood ρ.
 */
export const requestsStillNeeded = (input: {
  state: CompareState;
  config: CompareConfig;
  theta0: number;
  rhoLow: number | null;
  rhoHigh: number | null;
  mle: number | null;
}): { requests: number | null; minutes: number | null } => {
  const { state, config, theta0, rhoLow, rhoHigh, mle } = input;
  if (!(theta0 > 0 && theta0 < 1)) return { requests: null, minutes: null };
  const now = state.canary.requests;
  const u = mle === null ? 0 : Math.log(mle);
  const stepShort = Math.max(0, config.minRequests - state.step.canary.requests);
  const options: number[] = [];
  const toNonInferior = Math.log(config.tolerance) - u;
  if (toNonInferior > 0) {
    const total =
      rhoHigh !== null && now > 0
        ? byScaling(now, Math.log(rhoHigh) - u, toNonInferior)
        : byExpectedEvents(state, theta0, config.alpha, toNonInferior);
    options.push(Math.max(total - now, stepShort));
  }
  if (u > 0) {
    const total =
      rhoLow !== null && now > 0
        ? byScaling(now, u - Math.log(rhoLow), u)
        : byExpectedEvents(state, theta0, config.alpha, u);
    options.push(total - now);
  }
  if (options.length === 0) return { requests: null, minutes: null };
  const requests = Math.max(1, roundSignificant(Math.ceil(Math.min(...options))));
  const { firstT } = state.step;
  const span = firstT === null || state.lastT === null ? 0 : state.lastT - firstT + BUCKET_SECONDS;
  const perSecond = span > 0 ? state.step.canary.requests / span : 0;
  return { requests, minutes: perSecond > 0 ? requests / perSecond / 60 : null };
};

const num = (x: number): string =>
  x >= 100 && x < 1e6 ? Math.round(x).toLocaleString('en-US') : String(roundSignificant(x));

/** Two significant digits, three where two would print the upper end as the tolerance. */
const upperEnd = (high: number, tolerance: number): string =>
  num(high) === num(tolerance) && high !== tolerance
    ? String(Number(high.toPrecision(3)))
    : num(high);

const interval = (e: CompareEvidence, alpha: number): string =>
  `${Number(((1 - alpha) * 100).toPrecision(4))}% CI ${e.rhoLow === null ? '0' : num(e.rhoLow)}–${
    e.rhoHigh === null ? '∞' : upperEnd(e.rhoHigh, e.tolerance)
  }`;

const ratio = (e: CompareEvidence, label: string): string =>
  e.rateRatio === null
    ? `canary ${label} ${e.canary.bad}/${e.canary.requests} vs primary ${e.primary.bad}/${e.primary.requests}`
    : `canary ${label} ${num(e.rateRatio)}× primary`;

const minutes = (m: number): string => (m < 1 ? '< 1 min' : `≈ ${Math.round(m)} min`);

/** The evidence in one plain line. */
export const compareReason = (
  verdict: CompareVerdict,
  e: CompareEvidence,
  config: CompareConfig,
): string => {
  const label = config.label ?? 'bad events';
  if (verdict === 'regression')
    return `${ratio(e, label)} (${interval(e, config.alpha)}), e-value ${num(e.eValue)} ≥ ${num(e.threshold)} → roll back`;
  if (verdict === 'non-inferior')
    return `${ratio(e, label)} (${interval(e, config.alpha)} < ${num(e.tolerance)}) → non-inferior`;
  if (e.waitingForTraffic) return 'waiting for traffic';
  if (e.requestsNeeded === null)
    return 'inconclusive: not enough traffic to estimate what is needed';
  const at =
    e.minutesNeeded === null ? '' : ` (${minutes(e.minutesNeeded)} at the current traffic)`;
  return `inconclusive: about ${e.requestsNeeded.toLocaleString('en-US')} more canary requests${at}`;
};
