import type { Cause, KanariEvent } from '../domain/events.ts';
import type { Phase } from '../domain/phase.ts';
import type { LedgerEntry, RolloutState } from '../domain/state.ts';
import { type Input, transition } from '../domain/transition.ts';
import { KanariError, RolloutNotFoundError, RolloutVersionConflictError } from '../ports/errors.ts';
import type { CoreDeps } from './deps.ts';

export const OPERATOR_ACTIONS = [
  'rollback',
  'pause',
  'resume',
  'promote',
  'abort',
  'finalize',
] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

export const isOperatorAction = (text: string): text is OperatorAction =>
  (OPERATOR_ACTIONS as readonly string[]).includes(text);

/** The action does not fit the rollout's phase, e.g. resuming a RolledBack rollout. */
export class ActionNotAllowedError extends KanariError {
  constructor(
    readonly action: OperatorAction,
    readonly phase: Phase,
    message: string,
  ) {
    super(message);
  }
}

/** An operator action came without a reason; every action must say why. */
export class ReasonRequiredError extends KanariError {}

export interface OperatorRequest {
  /** Who asks: an IAM principal ARN, a JWT subject or a local token's name. */
  actor: string;
  reason: string;
  /** promote only: straight to 100 instead of the next step. */
  full?: boolean;
}

export interface OperatorResult {
  state: RolloutState;
  entry: LedgerEntry;
  events: KanariEvent[];
}

const inputFor = (action: OperatorAction, cause: Cause, full: boolean): Input => {
  switch (action) {
    case 'promote':
      return { type: 'promote', cause, full };
    case 'rollback':
    case 'abort':
    case 'pause':
    case 'resume':
    case 'finalize':
      return { type: action, cause };
  }
};

/**
 * An operator's rollback, pause, resume, promote, abort or finalize (after Succeeded: all
 * traffic back to the primary). It goes through the same state machine and events as
 * automated decisions: the state and its ledger entry are written under the version they were
 * based on, then the events are published. A concurrent writer makes it
 * read again and decide afresh, a few times at most.
 *
 * Errors: `RolloutNotFoundError`, `ReasonRequiredError`, `ActionNotAllowedError` (with the
 * current phase), and `RolloutVersionConflictError` when every attempt raced.
 */
export const operatorAction = async (
  deps: CoreDeps & { maxAttempts?: number },
  id: string,
  action: OperatorAction,
  request: OperatorRequest,
): Promise<OperatorResult> => {
  const reason = request.reason.trim();
  if (!reason) throw new ReasonRequiredError('reason: required; say why you act');
  const cause: Cause = { type: 'operator', actor: request.actor, reason };
  const input = inputFor(action, cause, request.full ?? false);
  const attempts = deps.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const state = await deps.store.get(id);
    if (!state) throw new RolloutNotFoundError(`rollout ${id} not found`);
    const outcome = transition(state, input, { now: deps.now(), decisionId: deps.newId() });
    if (!outcome.ok) throw new ActionNotAllowedError(action, outcome.phase, outcome.message);
    try {
      await deps.store.commit(outcome.state, [outcome.entry]);
    } catch (error) {
      if (error instanceof RolloutVersionConflictError && attempt < attempts) continue;
      throw error;
    }
    await deps.bus.publish(outcome.events);
    deps.log?.('operator action', {
      rolloutId: id,
      action,
      actor: request.actor,
      ...(outcome.events[0] ? { decisionId: outcome.events[0].detail.decisionId } : {}),
    });
    return { state: outcome.state, entry: outcome.entry, events: outcome.events };
  }
};
