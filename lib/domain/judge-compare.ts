// PLACEHOLDER: replaced by the real module at merge
/**
 * Stand-in for the sequential count test (seam S1): it sums the counts naively and runs the
 * fixed-θ0 test on the totals with θ0 = the canary's share of all requests so far. Not valid
 * across steps whose θ0 differ; the real module mixes over ρ window by window.
 */
import { countTest } from './stats/count-test.ts';

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
  alpha: number;
  tolerance: number;
  k: number;
  minRequests: number;
}
export interface CompareState {
  canary: CountSide;
  primary: CountSide;
  stepCanaryRequests: number;
  lastHadTraffic: boolean;
  lastCanaryRate: number;
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

/** Placeholder (see the file's first line). */
export const initialCompareState = (_config: CompareConfig): CompareState => ({
  canary: { requests: 0, bad: 0 },
  primary: { requests: 0, bad: 0 },
  stepCanaryRequests: 0,
  lastHadTraffic: false,
  lastCanaryRate: 0,
});

/** Placeholder (see the file's first line). */
export const observeBuckets = (
  state: CompareState,
  buckets: readonly CountBucket[],
  _config: CompareConfig,
): CompareState => {
  let next = state;
  for (const b of buckets) {
    next = {
      canary: {
        requests: next.canary.requests + b.canary.requests,
        bad: next.canary.bad + b.canary.bad,
      },
      primary: {
        requests: next.primary.requests + b.primary.requests,
        bad: next.primary.bad + b.primary.bad,
      },
      stepCanaryRequests: next.stepCanaryRequests + b.canary.requests,
      lastHadTraffic: b.canary.requests + b.primary.requests > 0,
      lastCanaryRate: b.canary.requests / 10,
    };
  }
  return next;
};

/** Placeholder (see the file's first line). */
export const startStep = (state: CompareState): CompareState => ({
  ...state,
  stepCanaryRequests: 0,
});

/** Placeholder (see the file's first line). */
export const compareVerdict = (
  state: CompareState,
  config: CompareConfig,
): { verdict: CompareVerdict; evidence: CompareEvidence } => {
  const { canary, primary } = state;
  const requests = canary.requests + primary.requests;
  const theta0 = requests > 0 ? canary.requests / requests : 0.5;
  const totalBad = canary.bad + primary.bad;
  const test =
    theta0 > 0 && theta0 < 1
      ? countTest({
          canaryEvents: canary.bad,
          totalEvents: totalBad,
          canaryShare: theta0,
          k: config.k,
          alpha: config.alpha,
        })
      : { logMOneSided: 0, rateRatioUpper: Number.POSITIVE_INFINITY };
  const threshold = 1 / config.alpha;
  const rateRatio =
    canary.requests > 0 && primary.bad > 0
      ? canary.bad / canary.requests / (primary.bad / primary.requests)
      : null;
  const rhoHigh = Number.isFinite(test.rateRatioUpper) ? test.rateRatioUpper : null;
  const verdict: CompareVerdict =
    test.logMOneSided >= Math.log(threshold)
      ? 'regression'
      : rhoHigh !== null &&
          rhoHigh < config.tolerance &&
          state.stepCanaryRequests >= config.minRequests
        ? 'non-inferior'
        : 'inconclusive';
  const requestsNeeded =
    verdict === 'inconclusive' ? Math.max(0, config.minRequests - state.stepCanaryRequests) : null;
  return {
    verdict,
    evidence: {
      canary,
      primary,
      stepCanaryRequests: state.stepCanaryRequests,
      theta0,
      logE: test.logMOneSided,
      eValue: Math.exp(test.logMOneSided),
      threshold,
      rateRatio,
      rhoLow: null,
      rhoHigh,
      tolerance: config.tolerance,
      requestsNeeded,
      minutesNeeded:
        requestsNeeded !== null && state.lastCanaryRate > 0
          ? requestsNeeded / state.lastCanaryRate / 60
          : null,
      waitingForTraffic: !state.lastHadTraffic,
      reason: `placeholder: ${verdict}, e-value ${Math.exp(test.logMOneSided).toPrecision(3)} vs ${threshold}`,
    },
  };
};
