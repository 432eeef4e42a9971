/** Rollout states at each point of the lifecycle, for the domain tests of apply and finalize. */
import type { Cause } from '../../lib/domain/events.ts';
import type { Phase } from '../../lib/domain/phase.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { newRollout, type transition } from '../../lib/domain/transition.ts';
import { seedSpec } from './fixtures.ts';

export const t0 = new Date('2026-01-01T00:00:00Z');
export const ID = 'sandbox/default/my-service';
export const alice: Cause = { type: 'operator', actor: 'alice', reason: 'v2 is on my-service now' };

/** A rollout of the seed spec in `phase` with the canary at `canary`. */
export const rollout = (
  phase: Phase,
  canary: number,
  extra: Partial<RolloutState> = {},
): RolloutState => ({
  ...newRollout({ id: ID, spec: seedSpec(), revision: 1, version: 7, now: t0 }),
  phase,
  canaryWeight: canary,
  stepIndex: canary === 100 ? 5 : 0,
  finishedAt: t0.toISOString(),
  ...extra,
});
export const succeeded = () => rollout('Succeeded', 100);
export const ok = (outcome: ReturnType<typeof transition>) => {
  if (!outcome.ok) throw new Error(`refused: ${outcome.message}`);
  return outcome;
};
export const withAnalysis = (changes: Partial<RolloutSpec['analysis']>): RolloutSpec =>
  seedSpec(changes);
