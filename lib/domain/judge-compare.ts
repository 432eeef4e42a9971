import { DEFAULT_COMPARE } from './compare-defaults.ts';
import { compareReason, requestsStillNeeded } from './judge-compare-evidence.ts';
import {
  addWindow,
  confidenceSet,
  LOG_RHO,
  logMixture,
  logPriorWeights,
} from './stats/rate-ratio-grid.ts';

export interface CountSide {
  requests: number;
  bad: number;
}
/** Counts of one 10-second bucket (not running totals); t = the bucket's end, epoch seconds. */
export interface CountBucket {
  t: number;
  canary: CountSide;
  primary: CountSide;
}
export interface CompareConfig {
  /** This metric's share of the rollout's α (the caller splits α across metrics and bounds). */
  alpha: number;
  /** Non-inferior when the upper end of the confidence sequence for ρ is below it (1.5). */
  tolerance: number;
  /** Prior concentration of the one-sided e-value (regression). Must stay the same for the whole rollout. */
  k: number;
  /**
   * Prior concentration of the two-sided mixture behind the confidence sequence (non-inferior);
   * default DEFAULT_COMPARE.intervalK. Must stay the same for the whole rollout.
   */
  intervalK?: number;
  /**
   * Rare events: non-inferior also when the canary's bad-event rate, bounded by the confidence
   * sequence as (ρ upper end) × the primary's rate, is within this absolute margin of the
   * primary's rate; default DEFAULT_COMPARE.rareMargin (0 turns the rule off).
   */
  rareMargin?: number;
  /** Canary requests needed at the current step before non-inferior may promote. */
  minRequests: number;
  /** What the bad events are, for the reason line ("errors", "requests slower than 320 ms"). */
  label?: string;
}

/** JSON-serialisable accumulator, stored with the rollout; every number in it is finite. */
/** e-values above e^34 (≈ 5.8e14, below 2^53) are stored as that: far past any 1/α. */
export const E_VALUE_CAP_LOG = 34;

export interface CompareState {
  /** The canary's share θ* of the first window with a bad event; it fixes the prior. */
  refShare: number | null;
  /** Σ over windows of the log likelihood ratio against ρ = 1, per point of the log ρ grid. */
  logLR: number[];
  canary: CountSide;
  primary: CountSide;
  step: { canary: CountSide; primary: CountSide; firstT: number | null };
  lastT: number | null;
  /** Requests (both sides) in the last batch observed: 0 means waiting for traffic. */
  lastBatchRequests: number;
}

export type CompareVerdict = 'regression' | 'non-inferior' | 'inconclusive';
export interface CompareEvidence {
  canary: CountSide;
  primary: CountSide;
  stepCanaryRequests: number;
  theta0: number;
  logE: number;
  eValue: number;
  threshold: number;
  rateRatio: number | null;
  rhoLow: number | null;
  rhoHigh: number | null;
  tolerance: number;
  requestsNeeded: number | null;
  minutesNeeded: number | null;
  waitingForTraffic: boolean;
  reason: string;
}

/** A bucket's counts cannot be counts (negative, not finite, or more bad events than requests). */
export class CountBucketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CountBucketError';
  }
}

const zero = (): CountSide => ({ requests: 0, bad: 0 });
const plus = (a: CountSide, b: CountSide): CountSide => ({
  requests: a.requests + b.requests,
  bad: a.bad + b.bad,
});

/** The state before any bucket. */
export const initialCompareState = (_config: CompareConfig): CompareState => ({
  refShare: null,
  logLR: LOG_RHO.map(() => 0),
  canary: zero(),
  primary: zero(),
  step: { canary: zero(), primary: zero(), firstT: null },
  lastT: null,
  lastBatchRequests: 0,
});

const checkSide = (side: CountSide, where: string): void => {
  const ok = (v: number) => Number.isFinite(v) && v >= 0;
  if (!ok(side.requests) || !ok(side.bad) || side.bad > side.requests)
    throw new CountBucketError(`${where}: counts must be finite, ≥ 0, and bad ≤ requests`);
};

/**
 * Folds buckets in, in order. Each bucket is one window: given its requests, its bad events
 * are split between canary and primary, under ρ = 1, with the canary's request share θ0.
 * Buckets where neither side has a bad event, or one side has no request (then the split
 * carries no information about ρ), change only the totals.
 */
export const observeBuckets = (
  state: CompareState,
  buckets: readonly CountBucket[],
  _config: CompareConfig,
): CompareState => {
  const next: CompareState = {
    ...state,
    logLR: [...state.logLR],
    step: { ...state.step },
  };
  let batch = 0;
  for (const [i, b] of buckets.entries()) {
    checkSide(b.canary, `buckets[${i}].canary`);
    checkSide(b.primary, `buckets[${i}].primary`);
    next.canary = plus(next.canary, b.canary);
    next.primary = plus(next.primary, b.primary);
    next.step.canary = plus(next.step.canary, b.canary);
    next.step.primary = plus(next.step.primary, b.primary);
    next.step.firstT ??= b.t;
    next.lastT = b.t;
    batch += b.canary.requests + b.primary.requests;
    const requests = b.canary.requests + b.primary.requests;
    const bad = b.canary.bad + b.primary.bad;
    if (bad === 0 || b.canary.requests === 0 || b.primary.requests === 0) continue;
    const theta0 = b.canary.requests / requests;
    next.refShare ??= theta0;
    addWindow(next.logLR, b.canary.bad, b.primary.bad, theta0);
  }
  next.lastBatchRequests = batch;
  return next;
};

/** A new step begins: step totals restart, the evidence for ρ is kept. */
export const startStep = (state: CompareState): CompareState => ({
  ...structuredClone(state),
  step: { canary: zero(), primary: zero(), firstT: null },
});

const share = (canary: CountSide, primary: CountSide): number | null => {
  const total = canary.requests + primary.requests;
  return total > 0 ? canary.requests / total : null;
};

const pooledRatio = (s: CompareState): number | null => {
  if (s.canary.requests === 0 || s.primary.requests === 0 || s.canary.bad + s.primary.bad === 0)
    return null;
  const ratio = s.canary.bad / s.canary.requests / (s.primary.bad / s.primary.requests);
  return Number.isFinite(ratio) ? ratio : null;
};

/**
 * The rare-event rule: with the primary's rate p̂ (at least one bad event counted, so a silent
 * primary does not read as 0), the canary's rate is at most ρ_high·p̂ at the sequence's level,
 * i.e. at most (ρ_high − 1)·p̂ above the primary's. The primary serves (1 − w)/w times the
 * canary's traffic, so p̂ is far more precise than the ratio; the bound is the ratio's.
 */
export const withinRareMargin = (rhoHigh: number, primary: CountSide, margin: number): boolean => {
  if (!(margin > 0) || primary.requests === 0) return false;
  const rate = Math.max(primary.bad, 1) / primary.requests;
  return (rhoHigh - 1) * rate <= margin;
};

/**
 * The verdict now: regression when the one-sided e-value against ρ ≤ 1 reaches 1/α;
 * non-inferior when the confidence sequence's upper end is below the tolerance and the step has
 * served `minRequests` canary requests; otherwise inconclusive, with a rough count of the
 * canary requests (and minutes at the step's traffic) a decision still needs.
 */
export const compareVerdict = (
  state: CompareState,
  config: CompareConfig,
): { verdict: CompareVerdict; evidence: CompareEvidence } => {
  const threshold = 1 / config.alpha;
  const intervalK = config.intervalK ?? DEFAULT_COMPARE.intervalK;
  const prior = state.refShare === null ? null : logPriorWeights(state.refShare, config.k);
  const logE = prior === null ? 0 : logMixture(prior.oneSided, state.logLR);
  const csPrior = state.refShare === null ? null : logPriorWeights(state.refShare, intervalK);
  const cs = csPrior === null ? null : confidenceSet(csPrior.twoSided, state.logLR, config.alpha);
  const rhoLow = cs?.low ?? null;
  const rhoHigh = cs?.high ?? null;
  const stepCanaryRequests = state.step.canary.requests;
  const theta0 =
    share(state.step.canary, state.step.primary) ?? share(state.canary, state.primary) ?? 0;
  const waitingForTraffic = state.lastBatchRequests === 0;
  const regression = logE >= Math.log(threshold);
  const bounded =
    rhoHigh !== null &&
    (rhoHigh < config.tolerance ||
      withinRareMargin(rhoHigh, state.primary, config.rareMargin ?? DEFAULT_COMPARE.rareMargin));
  const nonInferior = !regression && bounded && stepCanaryRequests >= config.minRequests;
  const verdict: CompareVerdict = regression
    ? 'regression'
    : nonInferior
      ? 'non-inferior'
      : 'inconclusive';
  const needed =
    verdict === 'inconclusive'
      ? requestsStillNeeded({ state, config, theta0, rhoLow, rhoHigh, mle: cs?.mle ?? null })
      : { requests: null, minutes: null };
  const evidence: CompareEvidence = {
    canary: state.canary,
    primary: state.primary,
    stepCanaryRequests,
    theta0,
    logE,
    // e^700 is near the largest finite double; logE carries the exact figure.
    // Capped for storage (DynamoDB numbers, JSON): logE carries the exact value.
    eValue: Math.exp(Math.min(logE, E_VALUE_CAP_LOG)),
    threshold,
    rateRatio: pooledRatio(state),
    rhoLow,
    rhoHigh,
    tolerance: config.tolerance,
    requestsNeeded: needed.requests,
    minutesNeeded: needed.minutes,
    waitingForTraffic,
    reason: '',
  };
  evidence.reason = compareReason(verdict, evidence, config);
  return { verdict, evidence };
};
