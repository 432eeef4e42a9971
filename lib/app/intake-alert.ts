import { type Alert, alertCause, matchAlert, needsAlarmTags } from '../domain/alert-matching.ts';
import { durationMs } from '../domain/duration.ts';
import type { Phase } from '../domain/phase.ts';
import type { AlertAction } from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { type Input, transition } from '../domain/transition.ts';
import type { AlarmTagReader } from '../ports/alarm-tags.ts';
import { RolloutVersionConflictError } from '../ports/errors.ts';
import type { CoreDeps } from './deps.ts';

export interface IntakeDeps extends CoreDeps {
  /** Reads CloudWatch alarm tags; asked only when a rollout matches on `alarmTags`. */
  alarmTags?: AlarmTagReader;
  /** Commits tried per rollout, re-reading it after each version conflict. Default 3. */
  maxAttempts?: number;
}

export interface AlertRef {
  source: string;
  id: string;
  name: string;
  status: Alert['status'];
}

export interface RolloutAlertOutcome {
  rolloutId: string;
  action: AlertAction;
  /**
   * `duplicate`: the rollout already rolls back, rolled back or is paused, e.g. because this
   * alert was delivered before. `refused`: the phase does not allow the action. `stale`: the
   * alert started firing before this revision started, so it is about another revision (a
   * replayed or long-firing alert of one that was already rolled back).
   */
  outcome: 'rollback-requested' | 'paused' | 'duplicate' | 'refused' | 'stale';
  message?: string;
  /** The decision made (rollback-requested, paused): its id follows it through shift-traffic. */
  decisionId?: string;
}

export type AlertOutcome =
  | { alert: AlertRef; outcome: 'resolved' | 'unmatched' }
  | { alert: AlertRef; outcome: 'matched'; rollouts: RolloutAlertOutcome[] };

/** Active rollouts, and those already rolling back or rolled back (to report duplicates). */
const CANDIDATE_PHASES: readonly Phase[] = [
  'Pending',
  'Progressing',
  'Paused',
  'WaitingPromotion',
  'RollingBack',
  'RolledBack',
];

const bakeWindowMs = (state: RolloutState): number =>
  durationMs(state.spec.alerts?.bakeWindow ?? '0s');

const isCandidate = (state: RolloutState, now: Date): boolean =>
  state.spec.alerts !== undefined &&
  (CANDIDATE_PHASES.includes(state.phase) ||
    (state.phase === 'Succeeded' &&
      state.finishedAt !== undefined &&
      now.getTime() - Date.parse(state.finishedAt) <= bakeWindowMs(state)));

const isDuplicate = (action: AlertAction, phase: Phase): boolean =>
  action === 'rollback' ? phase === 'RollingBack' || phase === 'RolledBack' : phase === 'Paused';

/** Why the alert is not about this revision: it started firing before the revision started. */
const startedBefore = (alert: Alert, state: RolloutState): string | undefined => {
  const started = alert.startsAt ? Date.parse(alert.startsAt) : Number.NaN;
  if (!(started < Date.parse(state.createdAt))) return undefined;
  return `the alert started firing at ${alert.startsAt}, before revision ${state.revision} started at ${state.createdAt}; it is about an earlier revision`;
};

const refOf = (alert: Alert): AlertRef => ({
  source: alert.source,
  id: alert.id,
  name: alert.name,
  status: alert.status,
});

/**
 * Turns alerts into rollbacks (or pauses) of the rollouts whose matchers they match. A firing
 * alert is matched against active rollouts and, within their bake window, succeeded ones.
 * Resolved alerts change nothing; unmatched ones are logged, never written to a ledger. The
 * same alert delivered twice causes one rollback: the second finds the rollout rolling back.
 */
export const intakeAlerts = async (deps: IntakeDeps, alerts: Alert[]): Promise<AlertOutcome[]> => {
  if (!alerts.some((alert) => alert.status === 'firing'))
    return alerts.map((alert) => ({ alert: refOf(alert), outcome: 'resolved' }));
  // One read serves every alert of a delivery; states we commit replace what was read.
  const now = deps.now();
  const rollouts = new Map(
    (await deps.store.list({}))
      .filter((state) => isCandidate(state, now))
      .map((state) => [state.id, state]),
  );
  const outcomes: AlertOutcome[] = [];
  // One alert after another: two alerts of one delivery often match the same rollout.
  for (const alert of alerts) outcomes.push(await intakeOne(deps, alert, rollouts));
  return outcomes;
};

const intakeOne = async (
  deps: IntakeDeps,
  given: Alert,
  rollouts: Map<string, RolloutState>,
): Promise<AlertOutcome> => {
  if (given.status !== 'firing') return { alert: refOf(given), outcome: 'resolved' };
  const alert = await withTags(deps, given, [...rollouts.values()]);
  const matched = [...rollouts.values()].flatMap((state) => {
    const match = matchAlert(state.spec, alert);
    return match ? [{ state, action: match.action }] : [];
  });
  if (matched.length === 0) {
    deps.log?.('alert matched no rollout', { ...refOf(alert), labels: alert.labels });
    return { alert: refOf(alert), outcome: 'unmatched' };
  }
  const results = await Promise.all(
    matched.map(({ state, action }) => act(deps, alert, state, action, rollouts)),
  );
  return { alert: refOf(alert), outcome: 'matched', rollouts: results };
};

const withTags = async (deps: IntakeDeps, alert: Alert, states: RolloutState[]) => {
  if (!alert.alarm || alert.alarm.tags || !deps.alarmTags) return alert;
  if (!states.some((state) => needsAlarmTags(state.spec))) return alert;
  const tags = await deps.alarmTags.tagsOf(alert.alarm.arn);
  return { ...alert, alarm: { ...alert.alarm, tags } };
};

const act = async (
  deps: IntakeDeps,
  alert: Alert,
  read: RolloutState,
  action: AlertAction,
  rollouts: Map<string, RolloutState>,
): Promise<RolloutAlertOutcome> => {
  const cause = alertCause(alert);
  const attempts = deps.maxAttempts ?? 3;
  let state = read;
  for (let attempt = 1; ; attempt++) {
    const before = startedBefore(alert, state);
    if (before) return { rolloutId: state.id, action, outcome: 'stale', message: before };
    const input: Input =
      action === 'rollback'
        ? { type: 'rollback', cause, bakeWindowMs: bakeWindowMs(state) }
        : { type: 'pause', cause };
    const outcome = transition(state, input, { now: deps.now(), decisionId: deps.newId() });
    const rolloutId = state.id;
    if (!outcome.ok) {
      return {
        rolloutId,
        action,
        outcome: isDuplicate(action, outcome.phase) ? 'duplicate' : 'refused',
        message: outcome.message,
      };
    }
    try {
      await deps.store.commit(outcome.state, [outcome.entry]);
    } catch (error) {
      if (!(error instanceof RolloutVersionConflictError) || attempt >= attempts) throw error;
      // Someone wrote first (a check, a step applied, the same alert delivered twice): look again.
      const fresh = await deps.store.get(rolloutId);
      if (!fresh || !matchAlert(fresh.spec, alert))
        return { rolloutId, action, outcome: 'refused', message: 'the rollout changed meanwhile' };
      state = fresh;
      rollouts.set(rolloutId, fresh);
      continue;
    }
    rollouts.set(rolloutId, outcome.state);
    await deps.bus.publish(outcome.events);
    return {
      rolloutId,
      action,
      outcome: action === 'rollback' ? 'rollback-requested' : 'paused',
      message: outcome.state.message,
      ...(outcome.events[0] ? { decisionId: outcome.events[0].detail.decisionId } : {}),
    };
  }
};
