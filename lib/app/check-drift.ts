import { currentWeights } from '../domain/routes.ts';
import type { RolloutState } from '../domain/state.ts';
import { transition } from '../domain/transition.ts';
import { lastAppliedWeights } from '../domain/transition-drift.ts';
import { RolloutVersionConflictError } from '../ports/errors.ts';
import type { TrafficRouter } from '../ports/traffic-router.ts';
import type { CoreDeps } from './deps.ts';
import { appliedIfDrifted } from './last-applied.ts';

export interface DriftCheckDeps extends CoreDeps {
  router: TrafficRouter;
}

export type DriftCheckOutcome =
  | { id: string; outcome: 'in-sync' }
  | { id: string; outcome: 'drift'; phase: string; events: string[] }
  | { id: string; outcome: 'skipped' | 'raced' | 'unreadable'; message: string };

/** Phases whose weights are kanari's to keep: a step is in place and the next check awaits. */
const WATCHED = ['Progressing', 'WaitingPromotion'];

/**
 * One drift-check tick: for every in-flight rollout, reads the VirtualService's weights and
 * compares them with the weights kanari last applied. A difference is recorded and announced
 * once, and pauses the rollout or re-applies kanari's weights (`spec.onDrift`). A rollout with a
 * pending decision is left to shift-traffic's guarded patch, which makes the same comparison.
 */
export const checkDrift = async (
  deps: DriftCheckDeps,
  options: { limit?: number; concurrency?: number } = {},
): Promise<DriftCheckOutcome[]> => {
  const rollouts = await deps.store.listInFlight(options.limit ?? 500);
  // A few reads at a time: one tick must not open hundreds of connections to one API server.
  const size = options.concurrency ?? 25;
  const results: DriftCheckOutcome[] = [];
  for (let at = 0; at < rollouts.length; at += size)
    results.push(
      ...(await Promise.all(
        rollouts.slice(at, at + size).map((state) => checkRollout(deps, state)),
      )),
    );
  return results;
};

/** Checks one rollout as of `state`. */
export const checkRollout = async (
  deps: DriftCheckDeps,
  state: RolloutState,
): Promise<DriftCheckOutcome> => {
  const { id } = state;
  if (!WATCHED.includes(state.phase))
    return { id, outcome: 'skipped', message: `rollout is ${state.phase}` };
  if (state.pending)
    return { id, outcome: 'skipped', message: `${state.pending.detailType} is pending` };
  if (state.drift)
    return { id, outcome: 'skipped', message: `drift recorded at ${state.drift.detectedAt}` };
  if (!lastAppliedWeights(state))
    return { id, outcome: 'skipped', message: 'no weights applied yet' };
  const { target } = state.spec;
  let observed: ReturnType<typeof currentWeights>;
  let resourceVersion: string | undefined;
  try {
    const vs = await deps.router.getVirtualService({
      cluster: target.cluster,
      namespace: target.namespace,
      name: target.virtualService,
    });
    observed = currentWeights(vs, target);
    resourceVersion = vs.metadata.resourceVersion;
  } catch (error) {
    // One cluster that cannot be read must not stop the others; the next tick tries again.
    return { id, outcome: 'unreadable', message: (error as Error).message };
  }
  const applied = await appliedIfDrifted(deps.store, state, observed);
  if (!applied) return { id, outcome: 'in-sync' };
  const outcome = transition(
    state,
    { type: 'drift', applied, observed, ...(resourceVersion ? { resourceVersion } : {}) },
    { now: deps.now(), decisionId: deps.newId() },
  );
  if (!outcome.ok) return { id, outcome: 'in-sync' };
  try {
    await deps.store.commit(outcome.state, [outcome.entry]);
  } catch (error) {
    if (error instanceof RolloutVersionConflictError)
      return { id, outcome: 'raced', message: 'the rollout changed while it was checked' };
    throw error;
  }
  await deps.bus.publish(outcome.events);
  return {
    id,
    outcome: 'drift',
    phase: outcome.state.phase,
    events: outcome.events.map((event) => event.detailType),
  };
};
