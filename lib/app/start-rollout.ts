import type { Cause } from '../domain/events.ts';
import { isTerminal } from '../domain/phase.ts';
import { type RolloutSpec, rolloutIdOf } from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { newRollout, transition } from '../domain/transition.ts';
import { RolloutExistsError } from '../ports/errors.ts';
import type { CoreDeps } from './deps.ts';

export interface StartResult {
  state: RolloutState;
  /** started: a new revision; updated: safe fields of an in-flight spec changed; unchanged: same spec. */
  outcome: 'started' | 'updated' | 'unchanged';
  /** Preflight warnings (e.g. a shadowed route); empty when none. */
  warnings: string[];
}

export interface StartOptions {
  /** Live checks. Runs after the lifecycle checks and before anything is written; throws
   *  PreflightRefusedError to refuse; returns warnings. */
  preflight?: (spec: RolloutSpec) => Promise<string[]>;
}

/**
 * Creates a rollout from a validated spec and starts it: the first step is requested at once.
 * A terminal rollout with the same id is replaced by a new revision; an active one is not.
 * `options.preflight` may refuse before anything is written.
 */
export const startRollout = async (
  deps: CoreDeps,
  spec: RolloutSpec,
  cause: Cause,
  options: StartOptions = {},
): Promise<StartResult> => {
  const id = rolloutIdOf(spec);
  const previous = await deps.store.get(id);
  if (previous && !isTerminal(previous.phase)) {
    throw new RolloutExistsError(`rollout ${id} is already ${previous.phase}`);
  }
  const warnings = (await options.preflight?.(spec)) ?? [];
  const now = deps.now();
  const created = newRollout({
    id,
    spec,
    now,
    revision: (previous?.revision ?? 0) + 1,
    version: previous?.version ?? 0,
  });
  const outcome = transition(created, { type: 'start', cause }, { now, decisionId: deps.newId() });
  if (!outcome.ok) throw new Error(`cannot start rollout ${id}: ${outcome.message}`);
  await deps.store.create(outcome.state, [outcome.entry]);
  await deps.bus.publish(outcome.events);
  return { state: outcome.state, outcome: 'started', warnings };
};
