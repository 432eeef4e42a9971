import type { Phase } from '../domain/phase.ts';
import type { RolloutSpec } from '../domain/rollout-spec.ts';
import type { LedgerEntry, RolloutState } from '../domain/state.ts';

export interface RolloutFilter {
  phase?: Phase;
  cluster?: string;
  namespace?: string;
}

/** A versioned write of a rollout and its new ledger entries (see RolloutStore.commit). */
export interface Commit {
  state: RolloutState;
  entries: LedgerEntry[];
}

export interface LedgerPage {
  entries: LedgerEntry[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/**
 * Rollout state and the append-only decision ledger.
 *
 * Errors: `RolloutVersionConflictError` when the stored version is not the one expected,
 * `RolloutExistsError` when creating over a rollout that is not terminal, `TargetOwnedError`
 * when creating a rollout of a VirtualService that another rollout, not terminal, owns.
 *
 * Ownership: creating a rollout that is not terminal makes it the owner of its target
 * VirtualService (cluster, namespace, name); the commit that makes it terminal releases it.
 */
export interface RolloutStore {
  get(id: string): Promise<RolloutState | undefined>;
  /**
   * The states of these rollouts, in the order of `ids` and each once; an id with no rollout
   * is left out. Any number of ids (the DynamoDB store reads them 100 to a request).
   */
  getMany(ids: string[]): Promise<RolloutState[]>;
  /**
   * Stores a new rollout (or a new revision of a terminal one) with its first ledger entries.
   * Fails with `RolloutExistsError` if a non-terminal rollout has that id, and with
   * `TargetOwnedError` if another one owns its VirtualService.
   */
  create(state: RolloutState, entries: LedgerEntry[]): Promise<void>;
  /**
   * Writes `state` and appends `entries` atomically, only if the stored version is still
   * `state.version - 1`.
   */
  commit(state: RolloutState, entries: LedgerEntry[]): Promise<void>;
  /**
   * Many commits, each as `commit` would make it, in as few requests as the store can. Each
   * commit stands alone: one refused never stops the others. The answer, in order, is
   * undefined for each commit written and the error `commit` would have thrown for the rest.
   */
  commitAll(commits: readonly Commit[]): Promise<(Error | undefined)[]>;
  /** The id of the rollout, not terminal, that owns this VirtualService; undefined if none. */
  owner(target: RolloutSpec['target']): Promise<string | undefined>;
  /** Appends entries without touching state (for records that change nothing). */
  append(entries: LedgerEntry[]): Promise<void>;
  /**
   * Rollouts the scheduler looks at (a scheduled phase, or a decision pending in any phase:
   * `isScheduledState`) whose `nextCheckAt` is at or before `now`, oldest first (then by id):
   * every one of them, or the oldest `limit` (a positive integer; anything else is a
   * RangeError).
   */
  listDue(now: Date, limit?: number): Promise<RolloutState[]>;
  /**
   * Every rollout the scheduler looks at, due or not, in the same order (the drift check), or
   * the oldest `limit` of them.
   */
  listInFlight(limit?: number): Promise<RolloutState[]>;
  list(filter: RolloutFilter): Promise<RolloutState[]>;
  /** Ledger entries of a rollout, oldest first. */
  ledger(id: string, page?: { limit?: number; cursor?: string }): Promise<LedgerPage>;
}
