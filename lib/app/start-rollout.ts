import type { Cause } from '../domain/events.ts';
import { planApply } from '../domain/lifecycle.ts';
import type { Phase } from '../domain/phase.ts';
import { type RolloutSpec, rolloutIdOf } from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { newRollout, transition } from '../domain/transition.ts';
import { KanariError, RolloutVersionConflictError, TargetOwnedError } from '../ports/errors.ts';
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
 * Applying the spec would change a rollout in a way its lifecycle does not allow: unsafe
 * fields of an in-flight rollout, or a new revision that would move traffic back to the old
 * version. The message says what to do instead.
 */
export class LifecycleConflictError extends KanariError {
  constructor(
    message: string,
    readonly rolloutId: string,
    readonly phase: Phase,
    readonly unsafeFields: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Applies a validated spec (see planApply in lib/domain/lifecycle.ts for the rules):
 * - no rollout of that id, or a terminal one whose traffic holder is the new primary: a new
 *   revision is created and its first step requested at once (`started`);
 * - in flight with the same spec: nothing changes (`unchanged`);
 * - in flight, differing only in fields safe mid-flight: the stored spec is updated through a
 *   versioned commit with a ledger entry naming the fields (`updated`).
 *
 * Errors: `LifecycleConflictError` for every refusal (unsafe in-flight changes; Succeeded with
 * the canary holding the traffic and a spec that is not swapped); `RolloutExistsError` or
 * `RolloutVersionConflictError` when another writer won a race every time; `TargetOwnedError`
 * when another rollout, not finished, owns the VirtualService; whatever
 * `options.preflight` throws (PreflightRefusedError) before anything is written.
 */
export const startRollout = async (
  deps: CoreDeps & { maxAttempts?: number },
  spec: RolloutSpec,
  cause: Cause,
  options: StartOptions = {},
): Promise<StartResult> => {
  const id = rolloutIdOf(spec);
  const attempts = deps.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const previous = await deps.store.get(id);
    const plan = planApply(previous, spec);
    if (plan.kind === 'refuse')
      throw new LifecycleConflictError(
        plan.message,
        id,
        previous?.phase ?? 'Pending',
        plan.unsafe ?? [],
      );
    if (plan.kind === 'unchanged' && previous)
      return { state: previous, outcome: 'unchanged', warnings: [] };
    if (plan.kind === 'update' && previous) {
      const outcome = transition(
        previous,
        { type: 'update-spec', cause, spec, changed: plan.changed, summary: plan.summary },
        { now: deps.now(), decisionId: deps.newId() },
      );
      if (!outcome.ok) throw new Error(`cannot update rollout ${id}: ${outcome.message}`);
      try {
        await deps.store.commit(outcome.state, [outcome.entry]);
      } catch (error) {
        // A check or a step landed meanwhile: read again and decide afresh.
        if (error instanceof RolloutVersionConflictError && attempt < attempts) continue;
        throw error;
      }
      return { state: outcome.state, outcome: 'updated', warnings: [] };
    }
    if (plan.kind !== 'start') throw new Error(`unexpected plan ${plan.kind} for ${id}`);
    // One active rollout per VirtualService; the store's create enforces it, this says it first.
    const owner = await deps.store.owner(spec.target);
    if (owner !== undefined && owner !== id) throw new TargetOwnedError(spec.target, owner);
    const warnings = (await options.preflight?.(spec)) ?? [];
    const now = deps.now();
    const created = newRollout({
      id,
      spec,
      now,
      revision: plan.revision,
      version: previous?.version ?? 0,
    });
    const outcome = transition(
      created,
      { type: 'start', cause },
      { now, decisionId: deps.newId() },
    );
    if (!outcome.ok) throw new Error(`cannot start rollout ${id}: ${outcome.message}`);
    await deps.store.create(outcome.state, [outcome.entry]);
    await deps.bus.publish(outcome.events);
    return { state: outcome.state, outcome: 'started', warnings };
  }
};
