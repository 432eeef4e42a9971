import { child, type FieldUse } from './flagger-fields.ts';
import type { FlaggerAnalysis, ImportedSpec } from './flagger-types.ts';

type Weights = Pick<ImportedSpec['analysis'], 'stepWeights' | 'stepWeight' | 'maxWeight'>;

const FLAGGER_TOTAL_WEIGHT = 100;

/**
 * Flagger's weight plan in kanari's terms. Flagger steps by `stepWeight` when it is set, and
 * walks `stepWeights` otherwise; with `stepWeights` its maximum is the last step, and
 * `maxWeight` is ignored. Without `maxWeight` it goes up to 100. kanari promotes to 100 after
 * its last step, so a Flagger step at 100 becomes that promotion.
 */
export const translateWeights = (
  analysis: FlaggerAnalysis,
  path: string,
  use: FieldUse,
): Weights => {
  const { stepWeight, stepWeights, maxWeight } = analysis;
  const steps = stepWeights && stepWeights.length > 0 ? stepWeights : undefined;
  if (!stepWeight && steps) {
    use.use(child(path, 'stepWeight'));
    if (maxWeight !== undefined)
      use.leave(
        child(path, 'maxWeight'),
        `ignored, as Flagger ignores it when stepWeights is set: the last step (${steps.at(-1)}) is the maximum`,
      );
    const below = steps.filter((weight) => weight < FLAGGER_TOTAL_WEIGHT);
    if (below.length < steps.length && below.length > 0) {
      use.leave(
        child(path, 'stepWeights'),
        `the steps at ${FLAGGER_TOTAL_WEIGHT} or above are dropped: kanari promotes to 100 after the last step (${below.at(-1)})`,
      );
      return { stepWeights: below };
    }
    use.use(child(path, 'stepWeights'));
    return { stepWeights: [...steps] };
  }
  if (!stepWeight) {
    use.use(child(path, 'stepWeight'), child(path, 'stepWeights'), child(path, 'maxWeight'));
    return maxWeight !== undefined ? { maxWeight } : {};
  }
  use.use(child(path, 'stepWeight'));
  let max = maxWeight || FLAGGER_TOTAL_WEIGHT;
  if (steps) {
    max = Math.min(FLAGGER_TOTAL_WEIGHT, steps.at(-1) as number);
    use.leave(
      child(path, 'stepWeights'),
      `Flagger steps by stepWeight when both are set, and stops at the last of stepWeights (${max}); so does the import`,
    );
    if (maxWeight !== undefined)
      use.leave(child(path, 'maxWeight'), 'ignored, as Flagger ignores it when stepWeights is set');
  } else if (maxWeight) use.use(child(path, 'maxWeight'));
  if (max >= FLAGGER_TOTAL_WEIGHT) {
    const last = Math.floor((FLAGGER_TOTAL_WEIGHT - 1) / stepWeight) * stepWeight;
    use.leave(
      child(path, 'maxWeight'),
      `${maxWeight ? maxWeight : 'absent, so 100 in Flagger'}: Flagger analyses the canary at 100 before it promotes; kanari promotes to 100 after its last step, so the steps stop at ${last}`,
    );
    return { stepWeight, maxWeight: last };
  }
  return { stepWeight, maxWeight: max };
};
