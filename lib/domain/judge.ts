import type { ThresholdRange } from './rollout-spec.ts';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** What one metric measured in one check, and what the judge made of it. */
export interface MetricResult {
  name: string;
  query: string;
  /** null when the backend returned no data or NaN. */
  value: number | null;
  /** The same query against the primary, for display only: the threshold judges the canary. */
  primaryValue?: number | null;
  thresholdRange: ThresholdRange;
  /** Requests behind the value, when known. */
  sampleSize?: number | null;
  minSampleSize?: number;
  verdict: Verdict;
  reason: string;
}

/** The evidence of one check. */
export interface CheckResult {
  weight: number;
  verdict: Verdict;
  metrics: MetricResult[];
}

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
  minSampleSize?: number;
}): { verdict: Verdict; reason: string } => {
  const { value, thresholdRange, sampleSize, minSampleSize } = input;
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
