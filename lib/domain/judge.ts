import type { CompareTestEvidence } from './analysis-state.ts';
import type { KayentaMetricResult } from './judge-kayenta.ts';
import type { JudgeType, ThresholdRange } from './rollout-spec.ts';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** What a Mann–Whitney metric measured: its classification and the rollout's score. */
export interface MannWhitneyEvidence extends KayentaMetricResult {
  canaryPoints: number;
  baselinePoints: number;
  score: number;
  scoreVerdict: 'pass' | 'marginal' | 'fail';
  criticalFailure: boolean;
  thresholds: { pass: number; marginal: number };
}

/** The statistics behind a compare or mann-whitney verdict, kept in the ledger. */
export type MetricEvidence =
  | { judge: 'compare'; tests: CompareTestEvidence[] }
  | ({ judge: 'mann-whitney' } & MannWhitneyEvidence);

/** What one metric measured in one check, and what the judge made of it. */
export interface MetricResult {
  name: string;
  query: string;
  /** null when the backend returned no data or NaN. */
  value: number | null;
  /** The same query against the primary, for display only: the threshold judges the canary. */
  primaryValue?: number | null;
  /** Absent: judged as threshold (every check recorded before judges existed). */
  judge?: JudgeType;
  /** The threshold judge's bounds; absent for the other judges. */
  thresholdRange?: ThresholdRange;
  /** Requests behind the value, when known. */
  sampleSize?: number | null;
  /** Requests the primary served in the same window, when known. */
  primarySampleSize?: number | null;
  minSampleSize?: number;
  /**
   * True when the judge knows that neither canary nor primary served a request in the window
   * it looked at. Absent when it does not know (a custom query has no request count).
   */
  waitingForTraffic?: boolean;
  /**
   * The metrics backend could not answer (unreachable, 5xx, a timeout): what it said. Distinct
   * from no traffic: the check holds and the time counts toward the progress deadline.
   */
  sourceDown?: string;
  /**
   * Why this metric's queries went out for this rollout alone instead of once per scheduler
   * tick for every rollout (a custom query may select by anything, so it cannot be grouped by
   * workload). Absent: read from the tick's grouped built-in queries.
   */
  queriedAlone?: string;
  /** compare and mann-whitney: the evidence (counts, e-value, intervals, thresholds). */
  evidence?: MetricEvidence;
  verdict: Verdict;
  reason: string;
}

/** The evidence of one check. */
export interface CheckResult {
  weight: number;
  verdict: Verdict;
  metrics: MetricResult[];
}

/**
 * A check with no traffic at all: inconclusive, and every metric that knows its traffic says
 * neither side had a request (at least one knows). Metrics that cannot tell (custom queries)
 * do not stand in the way: with no requests they have nothing to judge either. The rollout
 * then holds, "waiting for traffic", and the time does not run down progressDeadline.
 */
export const isWaitingForTraffic = (result: CheckResult): boolean => {
  if (result.verdict !== 'inconclusive') return false;
  const known = result.metrics.filter((metric) => metric.waitingForTraffic !== undefined);
  return known.length > 0 && known.every((metric) => metric.waitingForTraffic === true);
};

const usable = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * Flagger-style threshold judge on the canary alone. No data, NaN or too small a sample is
 * inconclusive: never a pass.
 */
export const judgeThreshold = (input: {
  value: number | null | undefined;
  thresholdRange: ThresholdRange;
  sampleSize?: number | null;
  primarySampleSize?: number | null;
  minSampleSize?: number;
}): { verdict: Verdict; reason: string; waitingForTraffic?: boolean } => {
  const { value, thresholdRange, sampleSize, primarySampleSize, minSampleSize } = input;
  // Both counts must be known and zero: an unknown count (a failed query) is not "no traffic".
  if (usable(sampleSize) && usable(primarySampleSize)) {
    if (sampleSize <= 0 && primarySampleSize <= 0)
      return {
        verdict: 'inconclusive',
        reason: 'waiting for traffic: no requests on canary or primary',
        waitingForTraffic: true,
      };
  }
  const known = usable(sampleSize) && usable(primarySampleSize) ? { waitingForTraffic: false } : {};
  const judged = judgeRange(value, thresholdRange, sampleSize, minSampleSize);
  return { ...judged, ...known };
};

const judgeRange = (
  value: number | null | undefined,
  thresholdRange: ThresholdRange,
  sampleSize: number | null | undefined,
  minSampleSize: number | undefined,
): { verdict: Verdict; reason: string } => {
  if (!usable(value)) return { verdict: 'inconclusive', reason: 'no data' };
  if (minSampleSize !== undefined && sampleSize !== undefined) {
    if (!usable(sampleSize) || sampleSize < minSampleSize) {
      return {
        verdict: 'inconclusive',
        reason: `too little data: ${usable(sampleSize) ? Math.round(sampleSize) : 0} requests < ${minSampleSize}`,
      };
    }
  }
  if (thresholdRange.min !== undefined && value < thresholdRange.min) {
    return { verdict: 'fail', reason: `${round(value)} < ${thresholdRange.min}` };
  }
  if (thresholdRange.max !== undefined && value > thresholdRange.max) {
    return { verdict: 'fail', reason: `${round(value)} > ${thresholdRange.max}` };
  }
  return { verdict: 'pass', reason: describeRange(value, thresholdRange) };
};

/** One failing metric fails the check; otherwise any inconclusive one makes it inconclusive. */
export const combineVerdicts = (verdicts: readonly Verdict[]): Verdict => {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.length === 0 || verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
};

export const round = (value: number): number => Math.round(value * 100) / 100;

const describeRange = (value: number, range: ThresholdRange): string => {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${round(value)} ≥ ${range.min}`);
  if (range.max !== undefined) parts.push(`${round(value)} ≤ ${range.max}`);
  return parts.join(', ') || `${round(value)} (no bounds)`;
};
