/**
 * The offline core of `kanari judge replay` (issue 8 §8): what the compare judge would have
 * decided, bucket by bucket, on counts someone recorded. The benchmark feeds its simulated
 * traffic through this same function, so the figures it prints are the CLI's.
 */

import { DEFAULT_COMPARE } from './compare-defaults.ts';
import {
  type CompareConfig,
  type CompareEvidence,
  type CompareState,
  type CompareVerdict,
  compareVerdict,
  initialCompareState,
  observeBuckets,
  startStep,
} from './judge-compare.ts';

/** The count metrics a replay bucket carries: 5xx responses, and requests slower than the bound. */
export type ReplayMetric = 'errors' | 'slow';
export const REPLAY_METRICS: readonly ReplayMetric[] = ['errors', 'slow'];

export interface ReplaySide {
  requests: number;
  errors: number;
  slow: number;
}

/** Counts of one bucket (not running totals); t = the bucket's end in seconds, increasing. */
export interface ReplayBucket {
  t: number;
  canary: ReplaySide;
  primary: ReplaySide;
}

/** The judge as configured; every field is optional on input (see DEFAULT_REPLAY_SPEC). */
export interface ReplaySpec {
  /** The rollout's α, split evenly across `metrics` (each gets α / metrics.length). */
  alpha: number;
  tolerance: number;
  k: number;
  /** Prior concentration of the confidence sequence's mixture. */
  intervalK: number;
  /** Rare events' absolute margin (see CompareConfig.rareMargin). */
  rareMargin: number;
  /** Canary requests needed in the current step before it may be called non-inferior. */
  minRequests: number;
  metrics: ReplayMetric[];
  /** Times (seconds) at which a new step began; the bucket ending after each starts the step. */
  stepStarts: number[];
}

/**
 * The default judge: errors and slow requests, with DEFAULT_COMPARE's settings (α = 0.01 split
 * across the two; docs/judges.md, "Defaults", says what each assumes). A step is never
 * promoted on fewer than minRequests canary requests, whatever the interval says.
 */
export const DEFAULT_REPLAY_SPEC: ReplaySpec = {
  alpha: DEFAULT_COMPARE.alpha,
  tolerance: DEFAULT_COMPARE.tolerance,
  k: DEFAULT_COMPARE.k,
  intervalK: DEFAULT_COMPARE.intervalK,
  rareMargin: DEFAULT_COMPARE.rareMargin,
  minRequests: DEFAULT_COMPARE.minRequests,
  metrics: ['errors', 'slow'],
  stepStarts: [],
};

export type ReplayVerdict = CompareVerdict;

/** One metric's verdict and evidence at a decision. */
export interface MetricDecision extends CompareEvidence {
  verdict: ReplayVerdict;
}

export interface ReplayDecision {
  t: number;
  verdict: ReplayVerdict;
  evidence: Partial<Record<ReplayMetric, MetricDecision>>;
}

export interface ReplayResult {
  decisions: ReplayDecision[];
  final: { verdict: ReplayVerdict; t: number };
}

/** Buckets whose t does not increase: the replay would judge time backwards. */
export class ReplayOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayOrderError';
  }
}
/** A replay needs at least one bucket: there is no time to report otherwise. */
export class ReplayEmptyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayEmptyError';
  }
}

const configOf = (spec: ReplaySpec): CompareConfig => ({
  alpha: spec.alpha / spec.metrics.length,
  tolerance: spec.tolerance,
  k: spec.k,
  intervalK: spec.intervalK,
  rareMargin: spec.rareMargin,
  minRequests: spec.minRequests,
});

/**
 * Regression on any metric rolls back; non-inferior needs every metric non-inferior; anything
 * else holds. This is how the metrics of one check combine today (one fail fails the check).
 */
export const combineVerdicts = (verdicts: readonly ReplayVerdict[]): ReplayVerdict =>
  verdicts.includes('regression')
    ? 'regression'
    : verdicts.length > 0 && verdicts.every((v) => v === 'non-inferior')
      ? 'non-inferior'
      : 'inconclusive';

/**
 * Replays buckets through the compare judge, one metric per count in the buckets.
 *
 * - Each bucket is folded in, then judged: the judge looks every 10 seconds (anytime-valid).
 * - θ0 is the canary's observed share in each bucket; no step plan is assumed. A step starts
 *   only where `spec.stepStarts` says so (the evidence for ρ is kept, the step's request count
 *   restarts).
 * - A decision is emitted at the first bucket, at every bucket where the combined verdict
 *   changes, and at the last bucket.
 * - `final` is the first regression or non-inferior decision, if any; otherwise inconclusive
 *   at the last bucket's t.
 *
 * @throws ReplayEmptyError when `buckets` is empty; ReplayOrderError when t does not increase.
 */
export const replay = (spec: ReplaySpec, buckets: readonly ReplayBucket[]): ReplayResult => {
  const last = buckets[buckets.length - 1];
  if (last === undefined) throw new ReplayEmptyError('buckets: must hold at least one bucket');
  const config = configOf(spec);
  const states = new Map<ReplayMetric, CompareState>(
    spec.metrics.map((metric) => [metric, initialCompareState(config)]),
  );
  const starts = [...spec.stepStarts].sort((a, b) => a - b);
  let nextStart = 0;
  let previousT = Number.NEGATIVE_INFINITY;
  const decisions: ReplayDecision[] = [];
  let final: ReplayResult['final'] | undefined;
  for (const [index, bucket] of buckets.entries()) {
    if (!(bucket.t > previousT))
      throw new ReplayOrderError(
        `buckets[${index}].t: must be greater than the previous bucket's (${bucket.t} ≤ ${previousT})`,
      );
    previousT = bucket.t;
    let stepBegins = false;
    while (nextStart < starts.length && (starts[nextStart] as number) < bucket.t) {
      stepBegins = true;
      nextStart++;
    }
    const evidence: ReplayDecision['evidence'] = {};
    const verdicts: ReplayVerdict[] = [];
    for (const metric of spec.metrics) {
      let state = states.get(metric) as CompareState;
      if (stepBegins) state = startStep(state);
      state = observeBuckets(state, [countBucketOf(bucket, metric)], config);
      states.set(metric, state);
      const judged = compareVerdict(state, config);
      evidence[metric] = { verdict: judged.verdict, ...judged.evidence };
      verdicts.push(judged.verdict);
    }
    const verdict = combineVerdicts(verdicts);
    const changed = decisions[decisions.length - 1]?.verdict !== verdict;
    if (changed || bucket === last) decisions.push({ t: bucket.t, verdict, evidence });
    if (final === undefined && verdict !== 'inconclusive') final = { verdict, t: bucket.t };
  }
  return { decisions, final: final ?? { verdict: 'inconclusive', t: last.t } };
};

/** One metric's view of a bucket: its bad events over the requests. */
const countBucketOf = (bucket: ReplayBucket, metric: ReplayMetric) => ({
  t: bucket.t,
  canary: { requests: bucket.canary.requests, bad: bucket.canary[metric] },
  primary: { requests: bucket.primary.requests, bad: bucket.primary[metric] },
});
