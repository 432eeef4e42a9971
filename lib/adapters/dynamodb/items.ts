import { PHASES } from '../../domain/phase.ts';
import {
  isScheduledState,
  type LedgerEntry,
  type LedgerKind,
  type RolloutState,
} from '../../domain/state.ts';
import * as z from '../../schemas/mini.ts';
import { MalformedItemError } from './errors.ts';
import {
  duePK,
  dueSK,
  LEDGER_PREFIX,
  LIST_PK,
  ledgerSK,
  listSK,
  rolloutPK,
  STATE_SK,
} from './keys.ts';

type Item = Record<string, unknown>;

/**
 * DynamoDB rejects `undefined`, and the injected client may not be configured to drop it;
 * an absent optional field must come back absent, so drop it here.
 */
export const withoutUndefined = <T>(value: T): T => {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = withoutUndefined(field);
  }
  return out as T;
};

/**
 * The state item: the whole state as a map under `state`, plus the top-level attributes that
 * conditions and indexes need. Indexes are sparse: only scheduled phases carry the due keys.
 */
export const stateItem = (state: RolloutState): Item => ({
  PK: rolloutPK(state.id),
  SK: STATE_SK,
  version: state.version,
  phase: state.phase,
  revision: state.revision,
  cluster: state.spec.target.cluster,
  namespace: state.spec.target.namespace,
  listPK: LIST_PK,
  listSK: listSK(state),
  ...(isScheduledState(state) ? { duePK: duePK(state.id), dueSK: dueSK(state) } : {}),
  state: withoutUndefined(state),
});

/**
 * A ledger entry's item. With `retentionDays`, it carries `expiresAt`, the epoch second
 * `retentionDays` after the entry, which the table's TTL deletes it at (infra/dynamodb-table.yml);
 * without, it is kept for ever. State items never expire.
 */
export const ledgerItem = (
  entry: LedgerEntry,
  index: number,
  suffix: string,
  retentionDays?: number,
): Item => ({
  PK: rolloutPK(entry.rolloutId),
  SK: ledgerSK(entry, index, suffix),
  entry: withoutUndefined(entry),
  ...(retentionDays === undefined
    ? {}
    : { expiresAt: Math.floor(Date.parse(entry.at) / 1000) + retentionDays * 86_400 }),
});

// Light checks of what every reader relies on; the full shape is ours, written by stateItem.
const int = z.int();
const instant = z
  .string()
  .check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'not an instant'));
const phase = z.enum(PHASES);
const side = z.object({ requests: z.number(), bad: z.number() });

/** The compare judge's counts: the next check folds into them, so they must be whole. */
const analysisSchema = z.looseObject({
  stepStartedAt: z.string(),
  tests: z.record(
    z.string(),
    z.looseObject({
      boundMs: z.optional(z.nullable(z.number())),
      compare: z.looseObject({
        refShare: z.nullable(z.number()),
        logLR: z.array(z.number()),
        canary: side,
        primary: side,
        lastT: z.nullable(z.number()),
      }),
    }),
  ),
});

/** A drift as the console, CLI and resume read it: both weights, when, and what was done. */
const weights = z.looseObject({ primary: z.number(), canary: z.number() });
const driftSchema = z.looseObject({
  applied: weights,
  observed: weights,
  detectedAt: instant,
  action: z.enum(['pause', 'reapply']),
  resourceVersion: z.optional(z.string()),
});

const stateItemSchema = z.object({
  PK: z.string(),
  SK: z.literal(STATE_SK),
  version: int,
  state: z.looseObject({
    id: z.string().check(z.minLength(1)),
    revision: int,
    version: int,
    phase,
    spec: z.looseObject({
      name: z.string(),
      target: z.looseObject({ cluster: z.string(), namespace: z.string() }),
      analysis: z.looseObject({}),
    }),
    canaryWeight: z.number(),
    stepIndex: int,
    checks: int,
    failedChecks: int,
    nextCheckAt: instant,
    stepStartedAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    message: z.string(),
    analysis: z.optional(analysisSchema),
    drift: z.optional(driftSchema),
  }),
});

const LEDGER_KINDS = [
  'start',
  'check',
  'action',
  'applied',
  'failed',
  'update',
  'drift',
  'resent',
] as const satisfies readonly LedgerKind[];

const ledgerItemSchema = z.object({
  PK: z.string(),
  SK: z.string().check(z.startsWith(LEDGER_PREFIX)),
  entry: z.looseObject({
    rolloutId: z.string(),
    revision: int,
    stateVersion: int,
    at: instant,
    kind: z.enum(LEDGER_KINDS),
    phase,
    cause: z.looseObject({ type: z.enum(['scheduler', 'analysis', 'alert', 'operator']) }),
    drift: z.optional(driftSchema),
    message: z.string(),
  }),
});

const describe = (item: unknown): string => {
  const { PK, SK } = (item ?? {}) as Item;
  return `${String(PK)} ${String(SK)}`;
};

const malformed = (item: unknown, problem: string, cause?: unknown): MalformedItemError =>
  new MalformedItemError(`malformed item ${describe(item)} in the rollouts table: ${problem}`, {
    cause,
  });

/** Checks a state item read back and returns the state exactly as it was stored. */
export const parseStateItem = (item: unknown): RolloutState => {
  const parsed = stateItemSchema.safeParse(item);
  if (!parsed.success) throw malformed(item, z.prettifyError(parsed.error), parsed.error);
  const { PK, version, state } = parsed.data;
  if (PK !== rolloutPK(state.id)) throw malformed(item, `holds the state of ${state.id}`);
  if (version !== state.version) throw malformed(item, 'version attribute disagrees with state');
  // The parsed copy equals the stored one (loose objects keep every field); return the stored
  // value so that nothing zod might normalise can differ from what was written.
  return (item as { state: RolloutState }).state;
};

export const parseLedgerItem = (item: unknown): LedgerEntry => {
  const parsed = ledgerItemSchema.safeParse(item);
  if (!parsed.success) throw malformed(item, z.prettifyError(parsed.error), parsed.error);
  if (parsed.data.PK !== rolloutPK(parsed.data.entry.rolloutId)) {
    throw malformed(item, `holds an entry of ${parsed.data.entry.rolloutId}`);
  }
  return (item as { entry: LedgerEntry }).entry;
};
