import type { AnalysisSpec } from './rollout-spec.ts';

/** The canary weights to walk through before promotion to 100, e.g. [10, 20, 30, 40, 50]. */
export const weightPlan = (
  analysis: Pick<AnalysisSpec, 'stepWeights' | 'stepWeight' | 'maxWeight'>,
): number[] => {
  if (analysis.stepWeights && analysis.stepWeights.length > 0) return [...analysis.stepWeights];
  const step = analysis.stepWeight ?? 10;
  const max = analysis.maxWeight ?? 50;
  const plan: number[] = [];
  for (let weight = step; weight < max; weight += step) plan.push(weight);
  plan.push(max);
  return plan;
};

/** The next weight after `stepIndex`, or 100 (promotion) after the last step. */
export const nextWeight = (
  plan: readonly number[],
  stepIndex: number,
): { weight: number; stepIndex: number; promotion: boolean } => {
  const next = stepIndex + 1;
  if (next < plan.length)
    return { weight: plan[next] as number, stepIndex: next, promotion: false };
  return { weight: 100, stepIndex: plan.length, promotion: true };
};
