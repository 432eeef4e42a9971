import { sameWeights } from '../domain/drift.ts';
import type { Weights } from '../domain/routes.ts';
import type { RolloutState } from '../domain/state.ts';
import { lastAppliedWeights } from '../domain/transition-drift.ts';
import type { RolloutStore } from '../ports/rollout-store.ts';

/** The weights of the ledger's last `applied` entry of the rollout's current revision. */
export const ledgerLastApplied = async (
  store: RolloutStore,
  state: RolloutState,
): Promise<Weights | undefined> => {
  let last: Weights | undefined;
  let cursor: string | undefined;
  do {
    const page = await store.ledger(state.id, { limit: 200, ...(cursor ? { cursor } : {}) });
    for (const entry of page.entries)
      if (entry.kind === 'applied' && entry.revision === state.revision && entry.applied)
        last = entry.applied.weights;
    cursor = page.cursor;
  } while (cursor);
  return last;
};

/** Whether the ledger of the rollout's current revision records the decision as applied. */
export const wasApplied = async (
  store: RolloutStore,
  state: RolloutState,
  decisionId: string,
): Promise<boolean> => {
  let cursor: string | undefined;
  do {
    const page = await store.ledger(state.id, { limit: 200, ...(cursor ? { cursor } : {}) });
    if (
      page.entries.some(
        (entry) =>
          entry.kind === 'applied' &&
          entry.revision === state.revision &&
          entry.decision?.decisionId === decisionId,
      )
    )
      return true;
    cursor = page.cursor;
  } while (cursor);
  return false;
};

/**
 * The weights kanari last applied, if the cluster's differ from them; undefined when they
 * match. The state's `canaryWeight` answers almost always without a read. Only when it differs
 * from the cluster is the ledger read: a patch whose decision was superseded while it was
 * applied is in the ledger but not in the state, and it is kanari's own write, not a drift.
 */
export const appliedIfDrifted = async (
  store: RolloutStore,
  state: RolloutState,
  observed: Weights,
): Promise<Weights | undefined> => {
  const quick = lastAppliedWeights(state);
  if (!quick || sameWeights(quick, observed)) return undefined;
  const applied = await ledgerLastApplied(store, state);
  return applied && !sameWeights(applied, observed) ? applied : undefined;
};
