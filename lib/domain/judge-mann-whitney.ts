import type { MannWhitneyEvidence, MetricResult, Verdict } from './judge.ts';
import {
  KAYENTA_DEFAULTS,
  type KayentaMetricConfig,
  type KayentaMetricResult,
  type KayentaScore,
} from './judge-kayenta.ts';
import type { JudgeSpec } from './rollout-spec.ts';

type MannWhitneyJudge = Extract<JudgeSpec, { type: 'mann-whitney' }>;

/** A metric's judge options over KAYENTA_DEFAULTS (an option left out takes Kayenta's value). */
export const kayentaConfigOf = (judge: MannWhitneyJudge): KayentaMetricConfig => {
  const { type: _type, group: _group, weight: _weight, ...options } = judge;
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  );
  return { ...KAYENTA_DEFAULTS, ...defined };
};

/**
 * The rollout's score as a check verdict: pass → pass, marginal → inconclusive (hold), fail or
 * a critical failure → fail. When every metric had no data (Nodata), inconclusive: no data is
 * never a pass, and not a reason to roll back by itself (as with the threshold judge).
 */
export const scoreVerdict = (
  score: KayentaScore,
  results: readonly KayentaMetricResult[],
): Verdict => {
  if (results.length > 0 && results.every((r) => r.classification === 'Nodata'))
    return 'inconclusive';
  if (score.criticalFailure || score.verdict === 'fail') return 'fail';
  return score.verdict === 'pass' ? 'pass' : 'inconclusive';
};

/** One mann-whitney metric's result, judged with the rollout's score. */
export const mannWhitneyResult = (input: {
  name: string;
  query: string;
  result: KayentaMetricResult;
  canaryPoints: number;
  baselinePoints: number;
  score: KayentaScore;
  verdict: Verdict;
  thresholds: { pass: number; marginal: number };
}): MetricResult => {
  const { result, score } = input;
  const evidence: MannWhitneyEvidence = {
    ...result,
    canaryPoints: input.canaryPoints,
    baselinePoints: input.baselinePoints,
    score: score.score,
    scoreVerdict: score.verdict,
    criticalFailure: score.criticalFailure,
    thresholds: input.thresholds,
  };
  return {
    name: input.name,
    query: input.query,
    judge: 'mann-whitney',
    value: result.canaryMean ?? null,
    primaryValue: result.baselineMean ?? null,
    evidence: { judge: 'mann-whitney', ...evidence },
    verdict: input.verdict,
    reason: `${result.classification}: ${result.reason}; ${score.reason}`,
  };
};
