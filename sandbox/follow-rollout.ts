import type { ApiClient } from '../cli/api-client.ts';
import { isTerminal } from '../lib/domain/phase.ts';
import type { Weights } from '../lib/domain/routes.ts';
import type { LedgerEntry, RolloutState } from '../lib/domain/state.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Invokes `tick` about once a second, as the schedule would, until the returned stop is called. */
export const startTicker = (
  tick: () => Promise<unknown>,
  onError: (error: Error) => void,
  everyMs = 1000,
): (() => Promise<void>) => {
  let ticking = true;
  const loop = (async () => {
    while (ticking) {
      await tick().catch(onError);
      await sleep(everyMs);
    }
  })();
  return async () => {
    ticking = false;
    await loop;
  };
};

/** A rollout's run as the sandbox prints it last (`--json`). */
export interface RolloutSummary {
  rollout: string;
  phase: string;
  steps: { weight: number; verdict: string }[];
  finalWeights: Weights;
  ledgerEntries: number;
  /** What caused the final decision: `analysis`, `alert` or `operator`. */
  cause?: string;
  /** The alert's name, when an alert caused it. */
  alert?: string;
}

/**
 * Polls the ledger of rollout `id`, handing each new entry to `onEntry`, until the rollout is
 * terminal with nothing pending; throws when `timeoutMs` passes first.
 */
export const followRollout = async (
  api: ApiClient,
  id: string,
  options: { onEntry?: (entry: LedgerEntry) => void | Promise<void>; timeoutMs: number },
): Promise<{ state: RolloutState; entries: LedgerEntry[] }> => {
  const deadline = Date.now() + options.timeoutMs;
  let seen = 0;
  for (;;) {
    const { rollout: state, entries } = await api.fullLedger(id);
    for (const entry of entries.slice(seen)) await options.onEntry?.(entry);
    seen = entries.length;
    if (isTerminal(state.phase) && !state.pending) return { state, entries };
    if (Date.now() >= deadline)
      throw new Error(`rollout ${id} did not finish in time; it is ${state.phase}`);
    await sleep(500);
  }
};

/** What the ledger says happened, in the summary's shape. */
export const summarize = (
  state: RolloutState,
  entries: LedgerEntry[],
  finalWeights: Weights,
): RolloutSummary => {
  const cause = entries.findLast((e) => e.kind === 'applied')?.cause;
  return {
    rollout: state.id,
    phase: state.phase,
    steps: entries
      .filter((e) => e.kind === 'check' && e.check)
      .map((e) => ({ weight: e.check?.weight ?? 0, verdict: e.check?.verdict ?? '' })),
    finalWeights,
    ledgerEntries: entries.length,
    ...(cause ? { cause: cause.type } : {}),
    ...(cause?.type === 'alert' ? { alert: cause.name } : {}),
  };
};
