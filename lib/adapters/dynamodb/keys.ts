import { createHash } from 'node:crypto';
import type { LedgerEntry, RolloutState } from '../../domain/state.ts';

/** Index names and key values; infra/dynamodb-table.yml defines the same names. */
export const DUE_INDEX = 'due';
export const LIST_INDEX = 'byTarget';
export const STATE_SK = 'STATE';
export const LEDGER_PREFIX = 'LEDGER#';
// One partition for the list index. It holds every state and, projecting ALL, is written on
// every commit too, so it now sets the table's write ceiling: that of one `due` shard (below).
// Sharding it as `due` is, or projecting less, is the next step past that.
export const LIST_PK = 'ROLLOUT';

/**
 * Shards of the `due` index. Every commit of a scheduled rollout rewrites its item there, and
 * one partition key of an index takes about 1,000 write units a second (one per KB of item;
 * a state is a few KB): a single key caps the fleet at a few hundred commits a second. 16 keys
 * lift that about 16 times, far past any fleet we expect, while a scheduler tick still costs
 * only 16 small Queries (one per shard, in parallel; an empty one costs 0.5 read units).
 *
 * Changing it: an item stays on the shard it was written to until its next commit. Growing
 * the count is safe (every old shard is still queried, so nothing is missed meanwhile).
 * Shrinking it hides the items on the dropped shards, so every scheduled state must be
 * re-written first (read and put back each one, or keep querying the old count until then).
 *
 * No migration from the single `DUE` key of earlier builds: there is no deployment to carry
 * over (kanari is pre-release), so an item written with `duePK = DUE` is simply not listed.
 */
export const DUE_SHARDS = 16;

/** The shard of a rollout: a stable hash of its id (SHA-256, first 4 bytes), mod DUE_SHARDS. */
export const dueShard = (id: string): number =>
  createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % DUE_SHARDS;

/** `DUE#<shard>`, the due-index partition key of a rollout. */
export const duePK = (id: string): string => `DUE#${dueShard(id)}`;

/** Every due-index partition key, which a listing queries and merges. */
export const DUE_PKS: readonly string[] = Array.from(
  { length: DUE_SHARDS },
  (_, shard) => `DUE#${shard}`,
);

export const rolloutPK = (id: string): string => `ROLLOUT#${id}`;

/** The ownership item of a VirtualService: `OWNER#cluster/namespace/name`, `owner`: the rollout id. */
export const OWNER_SK = 'OWNER';
export const ownerPK = (target: RolloutState['spec']['target']): string =>
  `OWNER#${target.cluster}/${target.namespace}/${target.virtualService}`;

const pad = (value: number, width: number, what: string): string => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  }
  return String(value).padStart(width, '0');
};

/**
 * Sort keys compare as strings, so every instant in a key is normalised to `toISOString()`
 * (a fixed-width UTC form): "…:00Z" and "…:00.000Z" would otherwise sort apart.
 */
export const isoInstant = (value: string, what: string): string => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a valid instant: ${value}`);
  return new Date(ms).toISOString();
};

/** `nextCheckAt#id`: due order, with the id keeping equal instants apart. */
export const dueSK = (state: RolloutState): string =>
  `${isoInstant(state.nextCheckAt, 'nextCheckAt')}#${state.id}`;

/** Upper bound for `dueSK <= …`: every key whose instant is at or before `now`. */
export const dueUpperBound = (now: Date): string => `${now.toISOString()}#\uffff`;

export const listSK = (state: RolloutState): string =>
  `${state.spec.target.cluster}/${state.spec.target.namespace}/${state.spec.name}`;

/** `cluster/` or `cluster/namespace/`: the trailing slash keeps `prod` from matching `prod-eu`. */
export const listPrefix = (cluster: string, namespace?: string): string =>
  namespace === undefined ? `${cluster}/` : `${cluster}/${namespace}/`;

/**
 * `LEDGER#<revision>#<stateVersion>#<at>#<index>#<suffix>`: oldest first across revisions
 * (a new revision restarts nothing in the key space), then by version and time; the index
 * keeps a batch in its order and the random suffix keeps separate writes from colliding.
 */
export const ledgerSK = (entry: LedgerEntry, index: number, suffix: string): string =>
  [
    'LEDGER',
    pad(entry.revision, 6, 'revision'),
    pad(entry.stateVersion, 10, 'stateVersion'),
    isoInstant(entry.at, 'ledger entry at'),
    pad(index, 3, 'index'),
    suffix,
  ].join('#');
