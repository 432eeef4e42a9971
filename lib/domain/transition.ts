import type { RolloutState } from './state.ts';
import { applied, applyFailed, landed } from './transition-apply.ts';
import { check } from './transition-check.ts';
import { drift } from './transition-drift.ts';
import { finalize, updateSpec } from './transition-lifecycle.ts';
import { pause, resume } from './transition-operator.ts';
import { ACTIVE, decide, isForward, refuse } from './transition-parts.ts';
import type { Context, Input, Outcome } from './transition-types.ts';

export { claim } from './transition-apply.ts';
export { pendingEvent, resend } from './transition-parts.ts';
export type { Context, Input, Outcome } from './transition-types.ts';

/** The pure state machine: `(state, input) → (next state, events, ledger entry)`. */
export const transition = (state: RolloutState, input: Input, ctx: Context): Outcome => {
  switch (input.type) {
    case 'start':
      if (state.phase !== 'Pending') return refuse(state, `rollout is ${state.phase}, not Pending`);
      return decide(state, ctx, input.cause, 'step', 'start', 'Rollout started');
    case 'check':
      return check(state, input.check, ctx);
    case 'rollback': {
      // After finalize the primary runs the released version and holds all traffic.
      if (
        state.phase === 'Succeeded' &&
        (state.finalizedAt || state.pending?.action === 'finalize')
      )
        return refuse(
          state,
          'the rollout was finalized: the primary runs the released version and holds all traffic; there is nothing to roll back',
        );
      const baking =
        state.phase === 'Succeeded' &&
        input.bakeWindowMs !== undefined &&
        state.finishedAt !== undefined &&
        ctx.now.getTime() - Date.parse(state.finishedAt) <= input.bakeWindowMs;
      if (!ACTIVE.includes(state.phase) && !baking)
        return refuse(state, `cannot roll back a rollout that is ${state.phase}`);
      return decide(state, ctx, input.cause, 'rollback', 'action', 'Rollback requested');
    }
    case 'abort':
      if (!ACTIVE.includes(state.phase))
        return refuse(state, `cannot abort a rollout that is ${state.phase}`);
      return decide(state, ctx, input.cause, 'abort', 'action', 'Abort requested');
    case 'promote':
      if (!['Progressing', 'Paused', 'WaitingPromotion'].includes(state.phase)) {
        return refuse(state, `cannot promote a rollout that is ${state.phase}`);
      }
      // The next step is counted from the applied one; a claimed step may still land, and a
      // step from the same place would apply its weight again.
      if (!input.full && isForward(state.pending) && state.pending.claimedAt)
        return refuse(
          state,
          `the ${state.pending.action} to ${state.pending.targetWeight}% is being applied; promote again once it has landed`,
        );
      return decide(
        state,
        ctx,
        input.cause,
        input.full ? 'promote' : 'step',
        'action',
        'Promotion requested',
      );
    case 'finalize':
      return finalize(state, input.cause, ctx);
    case 'update-spec':
      return updateSpec(state, input, ctx);
    case 'pause':
      return pause(state, input.cause, ctx);
    case 'resume':
      return resume(state, input.cause, ctx);
    case 'applied':
      return applied(state, input, ctx);
    case 'apply-failed':
      return applyFailed(state, input, ctx);
    case 'landed':
      return landed(state, input, ctx);
    case 'drift':
      return drift(state, input, ctx);
  }
};

/** A fresh rollout, before `start`. */
export const newRollout = (input: {
  id: string;
  spec: RolloutState['spec'];
  revision: number;
  version: number;
  now: Date;
}): RolloutState => ({
  id: input.id,
  revision: input.revision,
  version: input.version,
  phase: 'Pending',
  spec: input.spec,
  canaryWeight: 0,
  stepIndex: -1,
  checks: 0,
  failedChecks: 0,
  nextCheckAt: input.now.toISOString(),
  stepStartedAt: input.now.toISOString(),
  createdAt: input.now.toISOString(),
  updatedAt: input.now.toISOString(),
  message: 'Created',
});
