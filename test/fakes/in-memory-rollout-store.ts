import { isTerminal } from '../../lib/domain/phase.ts';
import { isScheduledState, type LedgerEntry, type RolloutState } from '../../lib/domain/state.ts';
import {
  InvalidCursorError,
  RolloutExistsError,
  RolloutVersionConflictError,
  TargetOwnedError,
} from '../../lib/ports/errors.ts';
import type { LedgerPage, RolloutFilter, RolloutStore } from '../../lib/ports/rollout-store.ts';
import { commitEach } from './commit-each.ts';

/** DynamoDB's cap on one transaction: the state item plus at most 99 entries. */
const MAX_TRANSACTION_ITEMS = 100;

interface StoredEntry {
  key: string;
  entry: LedgerEntry;
}

/** What DynamoDB does to a value: a copy, with `undefined` fields gone. */
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const pad = (value: number, width: number, what: string): string => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  }
  return String(value).padStart(width, '0');
};

const isoInstant = (value: string, what: string): string => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a valid instant: ${value}`);
  return new Date(ms).toISOString();
};

const positiveLimit = (limit: number, what: string): number => {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`${what} limit must be a positive integer, got ${limit}`);
  }
  return limit;
};

const optionalLimit = (limit: number | undefined, what: string): number | undefined =>
  limit === undefined ? undefined : positiveLimit(limit, what);

const listKey = (state: RolloutState): string =>
  `${state.spec.target.cluster}/${state.spec.target.namespace}/${state.spec.name}`;

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * In-memory RolloutStore with the DynamoDB adapter's semantics: version-conditioned commits,
 * create only over nothing or a terminal rollout, due rollouts in `nextCheckAt` order, ledger
 * oldest first by (revision, stateVersion, at, write order), opaque cursors, limits checked.
 * Every write is all-or-nothing, and values are copied in and out.
 */
export const createInMemoryRolloutStore = (): RolloutStore => {
  const states = new Map<string, RolloutState>();
  const ledgers = new Map<string, StoredEntry[]>();
  /** VirtualService (cluster/namespace/name) → the rollout that last took it. */
  const owners = new Map<string, string>();
  let sequence = 0;

  const check = (state: RolloutState, entries: LedgerEntry[], extra: number) => {
    if (entries.length + extra > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(
        `cannot write ${entries.length + extra} items atomically (DynamoDB allows ${MAX_TRANSACTION_ITEMS})`,
      );
    }
    if (isScheduledState(state)) isoInstant(state.nextCheckAt, 'nextCheckAt');
  };

  const keyed = (entries: LedgerEntry[]): StoredEntry[] =>
    entries.map((entry) => ({
      key: [
        pad(entry.revision, 6, 'revision'),
        pad(entry.stateVersion, 10, 'stateVersion'),
        isoInstant(entry.at, 'ledger entry at'),
        pad(sequence++, 12, 'sequence'),
      ].join('#'),
      entry: stored(entry),
    }));

  // Keys are computed (and may throw) before anything is written: writes are all-or-nothing.
  const write = (state: RolloutState | undefined, entries: StoredEntry[]) => {
    if (state) states.set(state.id, stored(state));
    for (const item of entries) {
      const ledger = ledgers.get(item.entry.rolloutId) ?? [];
      ledger.push(item);
      ledger.sort((a, b) => byString(a.key, b.key));
      ledgers.set(item.entry.rolloutId, ledger);
    }
  };

  const ownerKey = (target: RolloutState['spec']['target']) =>
    `${target.cluster}/${target.namespace}/${target.virtualService}`;
  const activeOwner = async (target: RolloutState['spec']['target']) => {
    const id = owners.get(ownerKey(target));
    const state = id === undefined ? undefined : states.get(id);
    return state && !isTerminal(state.phase) ? id : undefined;
  };

  /** Scheduled rollouts that `keep` keeps, in due-index order (nextCheckAt, then id). */
  const scheduled = (keep: (state: RolloutState) => boolean, limit: number | undefined) =>
    [...states.values()]
      .filter((state) => isScheduledState(state) && keep(state))
      .map((state) => ({
        state,
        key: Buffer.from(`${isoInstant(state.nextCheckAt, 'nextCheckAt')}#${state.id}`),
      }))
      .sort((a, b) => Buffer.compare(a.key, b.key))
      .slice(0, limit)
      .map(({ state }) => stored(state));

  const store: RolloutStore = {
    commitAll: (commits) => commitEach(store.commit)(commits),
    owner: activeOwner,
    async get(id) {
      const state = states.get(id);
      return state === undefined ? undefined : stored(state);
    },

    async getMany(ids) {
      return [...new Set(ids)].flatMap((id) => {
        const state = states.get(id);
        return state === undefined ? [] : [stored(state)];
      });
    },

    async create(state, entries) {
      const owning = !isTerminal(state.phase);
      check(state, entries, owning ? 2 : 1);
      const existing = states.get(state.id);
      if (existing !== undefined && !isTerminal(existing.phase)) {
        throw new RolloutExistsError(`rollout ${state.id} already exists and is ${existing.phase}`);
      }
      const target = ownerKey(state.spec.target);
      const owner = await activeOwner(state.spec.target);
      if (owning && owner !== undefined && owner !== state.id)
        throw new TargetOwnedError(state.spec.target, owner);
      const items = keyed(entries);
      if (owning) owners.set(target, state.id);
      write(state, items);
    },

    async commit(state, entries) {
      check(state, entries, 1);
      const expected = state.version - 1;
      const existing = states.get(state.id);
      if (existing?.version !== expected) {
        throw new RolloutVersionConflictError(
          `rollout ${state.id}: expected stored version ${expected}, found ${existing?.version ?? 'no rollout'}`,
        );
      }
      write(state, keyed(entries));
    },

    async append(entries) {
      if (entries.length > MAX_TRANSACTION_ITEMS) {
        throw new RangeError(`cannot write ${entries.length} items atomically`);
      }
      write(undefined, keyed(entries));
    },

    async listDue(now, limit) {
      return scheduled(
        (state) => Date.parse(state.nextCheckAt) <= now.getTime(),
        optionalLimit(limit, 'listDue'),
      );
    },

    async listInFlight(limit) {
      return scheduled(() => true, optionalLimit(limit, 'listInFlight'));
    },

    async list(filter: RolloutFilter) {
      return [...states.values()]
        .filter(
          ({ phase, spec: { target } }) =>
            (filter.phase === undefined || phase === filter.phase) &&
            (filter.cluster === undefined || target.cluster === filter.cluster) &&
            (filter.namespace === undefined || target.namespace === filter.namespace),
        )
        .sort((a, b) => byString(listKey(a), listKey(b)))
        .map(stored);
    },

    async ledger(id, page = {}): Promise<LedgerPage> {
      const limit = page.limit === undefined ? undefined : positiveLimit(page.limit, 'ledger');
      let after = '';
      if (page.cursor !== undefined) {
        let decoded: { id?: unknown; key?: unknown };
        try {
          decoded = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
        } catch (cause) {
          throw new InvalidCursorError(`invalid cursor: not a ledger page of ${id}`, { cause });
        }
        if (decoded.id !== id || typeof decoded.key !== 'string') {
          throw new InvalidCursorError(`invalid cursor: not a ledger page of ${id}`);
        }
        after = decoded.key;
      }
      const rest = (ledgers.get(id) ?? []).filter(({ key }) => key > after);
      const shown = limit === undefined ? rest : rest.slice(0, limit);
      const last = shown.at(-1);
      return {
        entries: shown.map(({ entry }) => stored(entry)),
        ...(last !== undefined && shown.length < rest.length
          ? { cursor: Buffer.from(JSON.stringify({ id, key: last.key })).toString('base64url') }
          : {}),
      };
    },
  };
  return store;
};
