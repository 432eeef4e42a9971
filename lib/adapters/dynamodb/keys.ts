import type { LedgerEntry, RolloutState } from '../../domain/state.ts';

/** Index names and key values; infra/dynamodb-table.yml defines the same names. */
export const DUE_INDEX = 'due';
export const LIST_INDEX = 'byTarget';
export const STATE_SK = 'STATE';
export const LEDGER_PREFIX = 'LEDGER#';
// One partition per GSI is plenty for hundreds of rollouts. Past roughly 1,000 writes a second
// on either index, shard it: `DUE#<n>` with n = hash(id) % N, and query the N shards.
export const DUE_PK = 'DUE';
export const LIST_PK = 'ROLLOUT';

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
