import { describe, expect, it } from 'vitest';
import { nextWeight, weightPlan } from '../../lib/domain/weight-plan.ts';

describe('weight plan', () => {
  it('uses stepWeights as given', () => {
    expect(weightPlan({ stepWeights: [1, 5, 25, 60] })).toEqual([1, 5, 25, 60]);
  });

  it('walks stepWeight up to maxWeight', () => {
    expect(weightPlan({ stepWeight: 10, maxWeight: 50 })).toEqual([10, 20, 30, 40, 50]);
  });

  it('ends on maxWeight even when it is not a multiple of the step', () => {
    expect(weightPlan({ stepWeight: 20, maxWeight: 50 })).toEqual([20, 40, 50]);
  });

  it('defaults to steps of 10 up to 50, as Flagger users expect', () => {
    expect(weightPlan({})).toEqual([10, 20, 30, 40, 50]);
  });

  it('moves one step at a time and promotes to 100 after the last', () => {
    const plan = [10, 20];
    expect(nextWeight(plan, -1)).toEqual({ weight: 10, stepIndex: 0, promotion: false });
    expect(nextWeight(plan, 0)).toEqual({ weight: 20, stepIndex: 1, promotion: false });
    expect(nextWeight(plan, 1)).toEqual({ weight: 100, stepIndex: 2, promotion: true });
  });
});
