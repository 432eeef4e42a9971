import { type DriftRecord, describeDrift, detectDrift } from './drift.ts';
import type { Cause, KanariEvent } from './events.ts';
import { isTerminal } from './phase.ts';
import type { Weights } from './routes.ts';
import type { PendingDecision, RolloutState } from './state.ts';
import { bump, detail, entryOf, pendingEvent, refuse } from './transition-parts.ts';
import type { Context, Input, Outcome } from './transition-types.ts';

const SCHEDULER: Cause = { type: 'scheduler' };

/**
 * The weights kanari last applied. `canaryWeight` is written in the same transaction as the
 * ledger's `applied` entry, so it is that entry's canary weight; the primary takes the rest.
 * Before the first applied step (`stepIndex` -1) nothing was applied.
 */
export const lastAppliedWeights = (state: RolloutState): Weights | undefined =>
  state.stepIndex < 0
    ? undefined
    : { primary: 100 - state.canaryWeight, canary: state.canaryWeight };

/** A decision that puts kanari's last weights back, keeping the step the rollout is at. */
export const reapplyDecision = (
  state: RolloutState,
  ctx: Context,
  cause: Cause,
  onApplied: PendingDecision['onApplied'],
): PendingDecision => ({
  decisionId: ctx.decisionId,
  action: 'step',
  detailType: 'Step Promotion Requested',
  targetWeight: state.canaryWeight,
  stepIndex: state.stepIndex,
  basedOnVersion: state.version,
  requestedAt: ctx.now.toISOString(),
  cause,
  onApplied,
  reapply: true,
});

/**
 * The cluster's weights are not the ones kanari last applied. The drift is recorded once (a
 * rollout already drifted is left alone until resume), announced as `Drift Detected`, and then,
 * by `spec.onDrift`: `pause` (default) pauses the rollout and cancels any pending step;
 * `reapply` asks shift-traffic to put kanari's weights back. A Paused rollout stays paused.
 *
 * A pending rollback, abort or finalize is applied regardless (safety first); its applied
 * entry records the drift. A pending step or promotion with `onDrift: reapply` is applied
 * too: it writes kanari's weights back.
 */
export const drift = (
  state: RolloutState,
  input: Extract<Input, { type: 'drift' }>,
  ctx: Context,
): Outcome => {
  if (state.phase === 'Pending' || isTerminal(state.phase))
    return refuse(state, `rollout is ${state.phase}: no weights of kanari's to drift from`);
  if (state.drift) return refuse(state, `drift already recorded at ${state.drift.detectedAt}`);
  if (state.stepIndex < 0) return refuse(state, 'kanari has applied no step yet');
  const { applied } = input;
  if (!detectDrift(applied, input.observed))
    return refuse(state, "the cluster has kanari's weights");
  const pending = state.pending;
  if (pending && pending.action !== 'step' && pending.action !== 'promote')
    return refuse(state, `the pending ${pending.action} is applied regardless of drift`);
  if (pending?.reapply) return refuse(state, "the pending decision re-applies kanari's weights");
  const onDrift = state.spec.onDrift ?? 'pause';
  if (pending && onDrift === 'reapply')
    return refuse(state, "the pending step writes kanari's weights over the drift");
  const paused = state.phase === 'Paused';
  const action = paused ? 'pause' : onDrift;
  const record: DriftRecord = {
    applied,
    observed: input.observed,
    detectedAt: ctx.now.toISOString(),
    action,
    ...(input.resourceVersion ? { resourceVersion: input.resourceVersion } : {}),
  };
  const message = `${describeDrift(record, paused)}${pending ? `; the pending ${pending.action} to ${pending.targetWeight}% was not applied` : ''}`;
  const next =
    action === 'pause'
      ? bump(state, ctx.now, {
          phase: 'Paused',
          pausedFrom: paused ? state.pausedFrom : state.phase,
          pending: undefined,
          drift: record,
          message,
        })
      : bump(state, ctx.now, {
          pending: reapplyDecision(state, ctx, SCHEDULER, state.phase),
          drift: record,
          message,
        });
  const events: KanariEvent[] = [
    {
      detailType: 'Drift Detected',
      detail: detail(state, ctx.decisionId, SCHEDULER, {
        phase: next.phase,
        weights: input.observed,
        drift: record,
      }),
    },
  ];
  if (next.pending) events.push(pendingEvent(next));
  return {
    ok: true,
    state: next,
    events,
    entry: entryOf(next, ctx.now, {
      kind: 'drift',
      cause: SCHEDULER,
      drift: record,
      ...(next.pending
        ? {
            decision: {
              decisionId: ctx.decisionId,
              action: 'step' as const,
              fromWeight: state.canaryWeight,
              targetWeight: state.canaryWeight,
            },
          }
        : {}),
      message,
    }),
  };
};
