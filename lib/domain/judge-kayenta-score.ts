import type { KayentaClassification, KayentaMetricResult } from './judge-kayenta.ts';

export interface KayentaGroupScore {
  group: string;
  /** Pass ÷ (Pass + High + Low + NodataFailure) × 100; null when none of those (all Nodata/Error). */
  score: number | null;
  weight: number;
}

export interface KayentaScore {
  score: number;
  verdict: 'pass' | 'marginal' | 'fail';
  criticalFailure: boolean;
  reason: string;
  groups: KayentaGroupScore[];
}

/** Kayenta fails the canary when at least this share (%) of its metrics are Nodata. */
const NODATA_THRESHOLD = 50;
const COUNTED: readonly KayentaClassification[] = ['Pass', 'High', 'Low', 'NodataFailure'];

const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * Kayenta's WeightedSumScorer and ThresholdScoreClassifier: per-group Pass percentages, a weighted
 * sum where groups without a weight share what is left of 100, and score 0 on a critical failure
 * (a critical result that is not a Pass) or when half or more of the metrics are Nodata. A group's
 * weight is the first weight any of its metrics gives.
 */
export const scoreMetrics = (
  results: { group: string; weight?: number; result: KayentaMetricResult }[],
  thresholds: { pass: number; marginal: number },
): KayentaScore => {
  const byGroup = new Map<string, { labels: KayentaClassification[]; weight?: number }>();
  for (const { group, weight, result } of results) {
    const entry = byGroup.get(group) ?? { labels: [] };
    entry.labels.push(result.classification);
    if (entry.weight === undefined && weight !== undefined) entry.weight = weight;
    byGroup.set(group, entry);
  }
  const weighted = [...byGroup.values()].filter((g) => g.weight !== undefined);
  const given = weighted.reduce((sum, g) => sum + (g.weight ?? 0), 0);
  const unweighted = byGroup.size - weighted.length;
  const shared = unweighted > 0 ? (100 - given) / unweighted : 0;

  const groups: KayentaGroupScore[] = [...byGroup].map(([group, { labels, weight }]) => {
    const counted = labels.filter((l) => COUNTED.includes(l));
    const passed = counted.filter((l) => l === 'Pass').length;
    return {
      group,
      score: counted.length === 0 ? null : (passed / counted.length) * 100,
      weight: weight ?? shared,
    };
  });

  const classify = (score: number, criticalFailure: boolean, reason: string): KayentaScore => ({
    score,
    verdict: score >= thresholds.pass ? 'pass' : score >= thresholds.marginal ? 'marginal' : 'fail',
    criticalFailure,
    reason,
    groups,
  });

  const critical = results.find((r) => r.result.critical && r.result.classification !== 'Pass');
  if (critical)
    return classify(
      0,
      true,
      `canary failed: a critical metric is ${critical.result.classification}: ${critical.result.reason}`,
    );
  const nodata = results.filter((r) => r.result.classification === 'Nodata').length;
  if (results.length > 0 && (nodata / results.length) * 100 >= NODATA_THRESHOLD)
    return classify(
      0,
      false,
      `canary failed: ${NODATA_THRESHOLD}% or more of the metrics had no data`,
    );

  // A group with nothing counted scores 100: it neither helps nor hurts.
  const score = round2(groups.reduce((sum, g) => sum + (g.score ?? 100) * (g.weight / 100), 0));
  return classify(
    score,
    false,
    `score ${score} (pass ≥ ${thresholds.pass}, marginal ≥ ${thresholds.marginal})`,
  );
};
