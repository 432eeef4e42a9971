import type { AnalysisState } from '../domain/analysis-state.ts';
import type { CheckResult } from '../domain/judge.ts';
import type { RolloutSpec } from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { type Outcome, resend, transition } from '../domain/transition.ts';
import { RolloutVersionConflictError } from '../ports/errors.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';
import type { CoreDeps } from './deps.ts';
import { measureRollout, type NamedProviders } from './measure.ts';
import { QueryBatch } from './query-batch.ts';

export interface AnalyzeDeps extends CoreDeps {
  /** The metrics backend for a rollout (one per provider or per cluster). */
  metricsFor: (spec: RolloutSpec) => MetricsProvider;
  /** The providers KANARI_METRIC_PROVIDERS names, which custom queries may pick. */
  metricsNamed?: NamedProviders;
  /** A pending decision older than this is published again (its event may have been lost). */
  resendAfterMs?: number;
}

export type AnalyzeOutcome =
  | { id: string; outcome: 'decided'; verdict: string; events: string[]; decisionId: string }
  | { id: string; outcome: 'held'; verdict: string }
  | { id: string; outcome: 'resent'; decisionId: string }
  | { id: string; outcome: 'waiting' | 'raced' | 'skipped'; message: string }
  /** This rollout's analysis threw; the others in the tick went on. */
  | { id: string; outcome: 'error'; message: string };

/** At most this many rollouts are written (committed, published) at once in one tick. */
export const COMMIT_CONCURRENCY = 32;

/** `fn` over `items`, at most `size` at a time, results in the items' order. */
const mapPool = async <T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
};

/** A due rollout after the measure phase: its check, when it was Progressing and idle. */
interface Measured {
  state: RolloutState;
  measured?: { check: CheckResult; analysis?: AnalysisState };
}

/**
 * One scheduler tick: judges every due rollout and records the result, in two phases.
 * 1. Measure every due rollout at once, against one QueryBatch per metrics provider: every
 *    rollout's queries are asked before the first answer is used, so the tick costs one
 *    request per distinct built-in query (and evaluation time or range), not per rollout;
 *    custom queries go out per rollout. All are evaluated at the tick's `now`.
 * 2. Judge each rollout, then write every check together (store.commitAll: on DynamoDB, 50
 *    rollouts to a transaction), then publish the events of those written, COMMIT_CONCURRENCY
 *    at a time. A decision is written under the version it was based on before its event is
 *    published, so two ticks racing on one rollout advance it once; a check whose rollout
 *    another writer changed first is discarded alone (`raced`).
 * One rollout that throws (a bad spec read back, no provider for its cluster) is reported as
 * its own `error` outcome and never stops the others: nothing of it was written, so the next
 * tick tries it again. A query that fails is the backend's failure (`sourceDown`) for every
 * rollout that used it.
 */
export const analyzeDue = async (
  deps: AnalyzeDeps,
  options: { limit?: number } = {},
): Promise<AnalyzeOutcome[]> => {
  const now = deps.now();
  return analyzeStates(deps, await deps.store.listDue(now, options.limit), now);
};

/** Both phases for these rollouts, as of `now` (the tick's time): analyzeDue without the listing. */
export const analyzeStates = async (
  deps: AnalyzeDeps,
  due: readonly RolloutState[],
  now: Date,
): Promise<AnalyzeOutcome[]> => {
  const batches = new Map<MetricsProvider, QueryBatch>();
  const batchFor = (spec: RolloutSpec): QueryBatch => {
    const provider = deps.metricsFor(spec);
    const batch = batches.get(provider) ?? new QueryBatch(provider);
    batches.set(provider, batch);
    return batch;
  };
  const measured = await Promise.all(
    due.map((state) => isolated(state, () => measureDue(batchFor, state, now, deps.metricsNamed))),
  );
  const queries = [...batches.values()].reduce((sum, batch) => sum + batch.queries, 0);
  deps.log?.('metric queries', { rollouts: due.length, queries });
  const planned = await mapPool(measured, COMMIT_CONCURRENCY, (m) =>
    'outcome' in m ? Promise.resolve(m) : isolated(m.state, () => judge(deps, m)),
  );
  return writeAll(deps, planned);
};

const isolated = async <T>(
  state: RolloutState,
  run: () => Promise<T>,
): Promise<T | AnalyzeOutcome> => {
  try {
    return await run();
  } catch (error) {
    return {
      id: state.id,
      outcome: 'error',
      message: error instanceof Error ? error.message : String(error),
    };
  }
};

/** Phase 1 for one rollout: its check, if it is Progressing with no decision pending. */
const measureDue = async (
  batchFor: (spec: RolloutSpec) => MetricsProvider,
  state: RolloutState,
  now: Date,
  named?: NamedProviders,
): Promise<Measured> => {
  if (state.pending || state.phase !== 'Progressing') return { state };
  return { state, measured: await measureRollout(batchFor(state.spec), state, now, named) };
};

/** Judges one rollout as of `state` (both phases, for one rollout alone). */
export const analyzeRollout = async (
  deps: AnalyzeDeps,
  state: RolloutState,
): Promise<AnalyzeOutcome> => {
  const [outcome] = await writeAll(deps, [
    await isolated(state, async () =>
      judge(deps, await measureDue(deps.metricsFor, state, deps.now(), deps.metricsNamed)),
    ),
  ]);
  return outcome as AnalyzeOutcome;
};

/** A check judged and ready to be written with its ledger entry, then its events published. */
interface Judged {
  id: string;
  verdict: string;
  outcome: Extract<Outcome, { ok: true }>;
}

const isJudged = (planned: Judged | AnalyzeOutcome): planned is Judged =>
  typeof planned.outcome !== 'string';

/**
 * Phase 2 for one rollout: re-send a lost decision (written at once), or judge its check
 * (written with the others by writeAll).
 */
const judge = async (
  deps: AnalyzeDeps,
  { state, measured }: Measured,
): Promise<Judged | AnalyzeOutcome> => {
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
  if (state.phase !== 'Progressing' || !measured)
    return { id, outcome: 'skipped', message: `rollout is ${state.phase}` };

  const { check, analysis } = measured;
  // The compare judge's counts go with the check's write: a check discarded by a race leaves
  // them as they were, and the next check reads its buckets again.
  const outcome = transition(
    analysis ? { ...state, analysis } : state,
    { type: 'check', check },
    { now: deps.now(), decisionId: deps.newId() },
  );
  if (!outcome.ok) return { id, outcome: 'skipped', message: outcome.message };
  return { id, verdict: check.verdict, outcome };
};

/**
 * Writes every judged check, each under the version it was based on, in as few requests as
 * the store can (commitAll), then publishes the events of those written. A check whose
 * rollout another writer changed first is discarded (`raced`); one that could not be written
 * is that rollout's `error`.
 */
const writeAll = async (
  deps: AnalyzeDeps,
  planned: readonly (Judged | AnalyzeOutcome)[],
): Promise<AnalyzeOutcome[]> => {
  const judged = planned.filter(isJudged);
  const failures = await deps.store
    .commitAll(judged.map(({ outcome }) => ({ state: outcome.state, entries: [outcome.entry] })))
    .catch((error: Error) => judged.map(() => error));
  const written = new Map(judged.map((j, i) => [j, failures[i]]));
  return mapPool(planned, COMMIT_CONCURRENCY, async (p) => {
    if (!isJudged(p)) return p;
    const failure = written.get(p);
    if (failure instanceof RolloutVersionConflictError)
      return {
        id: p.id,
        outcome: 'raced',
        message: 'another writer changed the rollout first; this check was discarded',
      };
    if (failure) return { id: p.id, outcome: 'error', message: failure.message };
    return isolated(p.outcome.state, async () => {
      await deps.bus.publish(p.outcome.events);
      const decisions = p.outcome.events
        .map((event) => event.detailType)
        .filter((type) => type !== 'Analysis Completed');
      const decisionId = p.outcome.events[0]?.detail.decisionId;
      return decisions.length > 0 && decisionId
        ? { id: p.id, outcome: 'decided', verdict: p.verdict, events: decisions, decisionId }
        : { id: p.id, outcome: 'held', verdict: p.verdict };
    });
  });
};
