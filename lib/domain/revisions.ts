import type { Cause } from './events.ts';
import { isTerminal, type Phase } from './phase.ts';
import type { LedgerEntry, RolloutState } from './state.ts';

/** One revision of a rollout as its ledger tells it: how it started, ended, and how long it ran. */
export interface RevisionSummary {
  revision: number;
  /** The phase the revision reached: its outcome once terminal. */
  phase: Phase;
  startedAt: string;
  /** When it reached a terminal phase; absent while it runs. */
  endedAt?: string;
  /** endedAt − startedAt, or up to `now` while it runs. */
  durationMs: number;
  /** Who or what started it. */
  startedBy: Cause;
  /** Who or what ended it (absent while it runs), with the ledger's message of that decision. */
  endedBy?: Cause;
  endMessage?: string;
  checks: number;
  failedChecks: number;
  /** The highest canary weight applied in the revision. */
  maxWeight: number;
}

/**
 * Every revision found in a rollout's ledger (oldest first, entries in ledger order), newest
 * first. The current revision takes its phase from `state`, which may be ahead of the ledger.
 */
export const summarizeRevisions = (
  state: RolloutState,
  entries: readonly LedgerEntry[],
  now: Date,
): RevisionSummary[] => {
  const byRevision = new Map<number, LedgerEntry[]>();
  for (const entry of entries) {
    const list = byRevision.get(entry.revision) ?? [];
    list.push(entry);
    byRevision.set(entry.revision, list);
  }
  const summaries: RevisionSummary[] = [];
  for (const [revision, list] of byRevision) {
    const first = list[0] as LedgerEntry;
    const current = revision === state.revision;
    const endIndex = list.findIndex((entry) => isTerminal(entry.phase));
    const end = endIndex < 0 ? undefined : list[endIndex];
    // What ended it is the decision that led there (a failed check, an operator's rollback),
    // not the entry that applied the weights.
    const decider =
      endIndex < 0
        ? undefined
        : (list
            .slice(0, endIndex + 1)
            .findLast(
              (entry) =>
                entry.kind !== 'applied' && entry.decision && entry.decision.action !== 'hold',
            ) ?? end);
    const phase = current ? state.phase : (list.at(-1) as LedgerEntry).phase;
    const endedAt = current ? (state.finishedAt ?? end?.at) : end?.at;
    const startedAt = current ? state.createdAt : first.at;
    const stop = endedAt ?? (isTerminal(phase) ? (list.at(-1) as LedgerEntry).at : undefined);
    const checks = list.filter((entry) => entry.kind === 'check' && entry.check);
    summaries.push({
      revision,
      phase,
      startedAt,
      ...(stop ? { endedAt: stop } : {}),
      durationMs: Math.max(0, Date.parse(stop ?? now.toISOString()) - Date.parse(startedAt)),
      startedBy: first.cause,
      ...(decider ? { endedBy: decider.cause, endMessage: decider.message } : {}),
      checks: checks.length,
      failedChecks: checks.filter((entry) => entry.check?.verdict === 'fail').length,
      maxWeight: list.reduce(
        (max, entry) => Math.max(max, entry.applied?.weights.canary ?? 0),
        current ? state.canaryWeight : 0,
      ),
    });
  }
  if (!byRevision.has(state.revision)) {
    summaries.push({
      revision: state.revision,
      phase: state.phase,
      startedAt: state.createdAt,
      ...(state.finishedAt ? { endedAt: state.finishedAt } : {}),
      durationMs: Math.max(
        0,
        Date.parse(state.finishedAt ?? now.toISOString()) - Date.parse(state.createdAt),
      ),
      startedBy: { type: 'scheduler' },
      checks: state.checks,
      failedChecks: state.failedChecks,
      maxWeight: state.canaryWeight,
    });
  }
  return summaries.sort((a, b) => b.revision - a.revision);
};
