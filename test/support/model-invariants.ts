import { currentWeights, type Weights } from '../../lib/domain/routes.ts';
import type { LedgerEntry, PendingDecision, RolloutState } from '../../lib/domain/state.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { weightPlan } from '../../lib/domain/weight-plan.ts';
import type { Rollout, World } from './model-world.ts';

// The design's invariants (DESIGN.md, docs/reliability.md), checked on what the world holds:
// the rollout's state and ledger in the store, and its VirtualService in the cluster.

const BACKWARDS = ['rollback', 'abort'];

const weights = (canary: number): Weights => ({ primary: 100 - canary, canary });
const show = (w: Weights) => `${w.primary}/${w.canary}`;
const same = (a: Weights, b: Weights) => a.primary === b.primary && a.canary === b.canary;

const pendingWeights = (pending: PendingDecision): Weights =>
  weights(
    BACKWARDS.includes(pending.action) || pending.action === 'finalize' ? 0 : pending.targetWeight,
  );

/** The target of a claimed step a newer decision superseded: "the step to 20% … may land first". */
const mayLand = (message: string): number | undefined => {
  const found = /the (?:step|promote) to (\d+)% was already being applied and may land first/.exec(
    message,
  );
  return found ? Number(found[1]) : undefined;
};

const isApplied = (
  entry: LedgerEntry,
): entry is LedgerEntry & { applied: NonNullable<LedgerEntry['applied']> } =>
  entry.kind === 'applied' && entry.applied !== undefined;

/** 4. Every route's weights sum to 100. */
const routesSumTo100 = (vs: VirtualService): string[] =>
  (vs.spec.http ?? []).flatMap((route, index) => {
    const entries = route.route ?? [];
    const sum = entries.reduce(
      (total, entry) => total + (entry.weight ?? (entries.length === 1 ? 100 : 0)),
      0,
    );
    return sum === 100 ? [] : [`route ${index} weights sum to ${sum}`];
  });

/**
 * 1. The VirtualService has the weights of the last `applied` entry, or, while a decision is
 * pending, its target (shift-traffic may have crashed after the PATCH), or the target of a
 * claimed step that a newer decision's ledger entry says may land first.
 */
const weightsAsLedgered = (
  state: RolloutState,
  entries: LedgerEntry[],
  observed: Weights,
): string[] => {
  const lastIndex = entries.findLastIndex(isApplied);
  const last = entries[lastIndex];
  const allowed = [last && isApplied(last) ? last.applied.weights : weights(0)];
  if (state.pending) allowed.push(pendingWeights(state.pending));
  for (const entry of entries.slice(lastIndex + 1)) {
    const claimed = mayLand(entry.message);
    if (claimed !== undefined) allowed.push(weights(claimed));
  }
  if (allowed.some((w) => same(w, observed))) return [];
  return [
    `VirtualService has ${show(observed)}, the ledger allows only ${allowed.map(show).join(' or ')} (phase ${state.phase}, pending ${state.pending?.action ?? 'none'})`,
  ];
};

/**
 * 2. After a rollback or abort is accepted, no applied entry raises the canary, except once the
 * claimed step its entry says may land first.
 */
const neverRisesAfterRollback = (entries: LedgerEntry[]): string[] => {
  let accepted = false;
  let exempt: number | undefined;
  let previous = 0;
  const found: string[] = [];
  for (const entry of entries) {
    if (!accepted && entry.kind !== 'applied' && BACKWARDS.includes(entry.decision?.action ?? '')) {
      accepted = true;
      exempt = mayLand(entry.message);
    }
    if (!isApplied(entry)) continue;
    const canary = entry.applied.weights.canary;
    if (accepted && canary > previous) {
      if (canary === exempt) exempt = undefined;
      else found.push(`canary rose ${previous}% → ${canary}% after a rollback was accepted`);
    }
    previous = canary;
  }
  return found;
};

/**
 * 3. The applied canary weights follow the plan, one step at a time: no step twice, none
 * skipped. A full promotion goes to 100, a rollback, abort or finalize to 0, and a re-apply
 * (after drift) writes the weights it found recorded.
 */
const followsPlan = (state: RolloutState, entries: LedgerEntry[]): string[] => {
  const plan = [...weightPlan(state.spec.analysis), 100];
  let previous = 0;
  const found: string[] = [];
  for (const entry of entries.filter(isApplied)) {
    const canary = entry.applied.weights.canary;
    const action = entry.decision?.action ?? '';
    const expected = [...BACKWARDS, 'finalize'].includes(action)
      ? 0
      : entry.message.startsWith('Re-applied')
        ? previous
        : action === 'promote'
          ? 100
          : plan[plan.indexOf(previous) + 1];
    if (canary !== expected)
      found.push(`applied ${action} to ${canary}% after ${previous}%, expected ${expected}%`);
    previous = canary;
  }
  return found;
};

export interface Look {
  state: RolloutState;
  entries: LedgerEntry[];
  vs: VirtualService;
  observed: Weights;
}

export const look = async (world: World, rollout: Rollout): Promise<Look> => {
  const state = (await world.base.get(rollout.id)) ?? fail(`${rollout.id} vanished`);
  const { entries } = await world.base.ledger(rollout.id);
  const vs = world.cluster.read(rollout.ref);
  return { state, entries, vs, observed: currentWeights(vs, rollout.spec.target) };
};

/** Invariants 1–4 of one rollout, as messages; none when they hold. */
export const violations = ({ state, entries, vs, observed }: Look): string[] => [
  ...weightsAsLedgered(state, entries, observed),
  ...neverRisesAfterRollback(entries),
  ...followsPlan(state, entries),
  ...routesSumTo100(vs),
];

/** 5. After the drain: settled, the state's weight is the cluster's, a rollback's canary is 0. */
export const settledViolations = (look: Look): string[] => {
  const { state, observed } = look;
  const found: string[] = [];
  if (state.pending) found.push(`still pending ${state.pending.action} after the drain`);
  if (state.canaryWeight !== observed.canary)
    found.push(
      `state says canary ${state.canaryWeight}%, the VirtualService has ${observed.canary}% (phase ${state.phase}: ${state.message})`,
    );
  if (['RolledBack', 'Aborted'].includes(state.phase) && observed.canary !== 0)
    found.push(`${state.phase} with the canary at ${observed.canary}%`);
  return found;
};

/** Every violation in the world, prefixed by the rollout's namespace. */
export const check = async (
  world: World,
  rules: (look: Look) => string[] = violations,
): Promise<string[]> => {
  const found: string[] = [];
  for (const rollout of world.rollouts)
    for (const v of rules(await look(world, rollout))) found.push(`${rollout.ns}: ${v}`);
  return found;
};

const fail = (message: string): never => {
  throw new Error(message);
};
