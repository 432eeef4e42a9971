import type { Cause } from './events.ts';
import { canaryHoldsTraffic, describeRef } from './lifecycle.ts';
import { isTerminal } from './phase.ts';
import type { RolloutSpec } from './rollout-spec.ts';
import type { PendingDecision, RolloutState } from './state.ts';
import { bump, entryOf, pendingEvent, refuse } from './transition-parts.ts';
import type { Context, Outcome } from './transition-types.ts';

/**
 * After Succeeded the canary holds all traffic. Once the user's CD runs the new version on the
 * primary too, finalize moves all traffic back to the primary: a pending decision that
 * shift-traffic applies like a step to 0 (the managed route only). The rollout stays Succeeded.
 * Asking again while one is pending replaces it (the scheduler does not re-send decisions of
 * a Succeeded rollout, so this is how a lost one is sent again).
 */
export const finalize = (state: RolloutState, cause: Cause, ctx: Context): Outcome => {
  if (state.phase !== 'Succeeded')
    return refuse(
      state,
      `cannot finalize a rollout that is ${state.phase}; only a Succeeded one whose canary holds the traffic`,
    );
  if (!canaryHoldsTraffic(state))
    return refuse(state, 'the rollout is finalized already: the primary holds all traffic');
  const { primary, canary } = state.spec.target;
  const message = `Finalize requested: move all traffic back to the primary ${describeRef(primary)} (canary ${describeRef(canary)} ${state.canaryWeight}% → 0%)`;
  const pending: PendingDecision = {
    decisionId: ctx.decisionId,
    action: 'finalize',
    detailType: 'Finalize Requested',
    targetWeight: 0,
    stepIndex: state.stepIndex,
    basedOnVersion: state.version,
    requestedAt: ctx.now.toISOString(),
    cause,
    onApplied: 'Succeeded',
  };
  const next = bump(state, ctx.now, { pending, message });
  return {
    ok: true,
    state: next,
    events: [pendingEvent(next)],
    entry: entryOf(next, ctx.now, {
      kind: 'action',
      cause,
      decision: {
        decisionId: ctx.decisionId,
        action: 'finalize',
        fromWeight: state.canaryWeight,
        targetWeight: 0,
      },
      message,
    }),
  };
};

/** Safe fields of an in-flight rollout's spec changed (see planApply): stored in place. */
export const updateSpec = (
  state: RolloutState,
  input: { cause: Cause; spec: RolloutSpec; changed: string[]; summary: string },
  ctx: Context,
): Outcome => {
  if (isTerminal(state.phase))
    return refuse(state, `rollout is ${state.phase}; apply starts a new revision instead`);
  const message = `Spec updated in flight: ${input.summary}`;
  const next = bump(state, ctx.now, { spec: input.spec, message });
  return {
    ok: true,
    state: next,
    events: [],
    entry: entryOf(next, ctx.now, {
      kind: 'update',
      cause: input.cause,
      changedFields: input.changed,
      message,
    }),
  };
};
