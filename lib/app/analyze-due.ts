import type { RolloutSpec } from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { resend, transition } from '../domain/transition.ts';
import { RolloutVersionConflictError } from '../ports/errors.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';
import type { CoreDeps } from './deps.ts';
import { measureRollout } from './measure.ts';

export interface AnalyzeDeps extends CoreDeps {
  /** The metrics backend for a rollout (one per provider or per cluster). */
  metricsFor: (spec: RolloutSpec) => MetricsProvider;
  /** A pending decision older than this is published again (its event may have been lost). */
  resendAfterMs?: number;
}

export type AnalyzeOutcome =
  | { id: string; outcome: 'decided'; verdict: string; events: string[] }
  | { id: string; outcome: 'held'; verdict: string }
  | { id: string; outcome: 'resent'; decisionId: string }
  | { id: string; outcome: 'waiting' | 'raced' | 'skipped'; message: string }
  /** This rollout's analysis threw; the others in the tick went on. */
  | { id: string; outcome: 'error'; message: string };

/**
 * One scheduler tick: judges every due rollout and records the result. A decision is written
 * under the version it was based on before its event is published, so two ticks racing on one
 * rollout advance it once. One rollout that throws (a query error, a bad spec read back) is
 * reported as its own `error` outcome and never stops the others: nothing of it was written,
 * so the next tick tries it again.
 */
export const analyzeDue = async (
  deps: AnalyzeDeps,
  options: { limit?: number } = {},
): Promise<AnalyzeOutcome[]> => {
  const due = await deps.store.listDue(deps.now(), options.limit ?? 50);
  return Promise.all(due.map((state) => analyzeIsolated(deps, state)));
};

const analyzeIsolated = async (deps: AnalyzeDeps, state: RolloutState): Promise<AnalyzeOutcome> => {
  try {
    return await analyzeRollout(deps, state);
  } catch (error) {
    return {
      id: state.id,
      outcome: 'error',
      message: error instanceof Error ? error.message : String(error),
    };
  }
};

/** Judges one rollout as of `state`. */
export const analyzeRollout = async (
  deps: AnalyzeDeps,
  state: RolloutState,
): Promise<AnalyzeOutcome> => {
  const { id } = state;
  if (state.pending) {
    const age = deps.now().getTime() - Date.parse(state.pending.requestedAt);
    if (age < (deps.resendAfterMs ?? 30_000)) {
      return {
        id,
        outcome: 'waiting',
        message: `waiting for ${state.pending.detailType} to be applied`,
      };
    }
    const { event, entry } = resend(state, deps.now());
    await deps.bus.publish([event]);
    await deps.store.append([entry]);
    return { id, outcome: 'resent', decisionId: state.pending.decisionId };
  }
  if (state.phase !== 'Progressing')
    return { id, outcome: 'skipped', message: `rollout is ${state.phase}` };

  const { check, analysis } = await measureRollout(deps.metricsFor(state.spec), state, deps.now());
  // The compare judge's counts go with the check's write: a check discarded by a race leaves
  // them as they were, and the next check reads its buckets again.
  const outcome = transition(
    analysis ? { ...state, analysis } : state,
    { type: 'check', check },
    { now: deps.now(), decisionId: deps.newId() },
  );
  if (!outcome.ok) return { id, outcome: 'skipped', message: outcome.message };
  try {
    await deps.store.commit(outcome.state, [outcome.entry]);
  } catch (error) {
    if (error instanceof RolloutVersionConflictError) {
      return {
        id,
        outcome: 'raced',
        message: 'another writer changed the rollout first; this check was discarded',
      };
    }
    throw error;
  }
  await deps.bus.publish(outcome.events);
  const decisions = outcome.events
    .map((event) => event.detailType)
    .filter((type) => type !== 'Analysis Completed');
  return decisions.length > 0
    ? { id, outcome: 'decided', verdict: check.verdict, events: decisions }
    : { id, outcome: 'held', verdict: check.verdict };
};
