import { isTerminal } from './phase.ts';
import { type DestinationRef, type RolloutSpec, rolloutIdOf } from './rollout-spec.ts';
import { describeChanges, diffSpecs, SAFE_FIELDS } from './spec-diff.ts';
import type { RolloutState } from './state.ts';

// What `apply` does with a spec, given the rollout of the same id as it stands. A rollout's
// revisions share one VirtualService, so a new revision must start where the last one left
// the traffic: its primary must be the destination that holds it.

/** The spec with `target.primary` and `target.canary` swapped (`kanari apply --swap`). */
export const swapDestinations = (spec: RolloutSpec): RolloutSpec => ({
  ...spec,
  target: { ...spec.target, primary: spec.target.canary, canary: spec.target.primary },
});

const shortHost = (host: string): string => host.split('.')[0] as string;

/** Same Istio destination: hosts equal as short names or FQDNs, and the same subset. */
export const sameRef = (a: DestinationRef, b: DestinationRef): boolean =>
  shortHost(a.host) === shortHost(b.host) && (a.subset ?? '') === (b.subset ?? '');

export const describeRef = (ref: DestinationRef): string =>
  ref.subset ? `${ref.host}/${ref.subset}` : ref.host;

/** Succeeded, and the canary still holds the traffic: finalize (or a swapped spec) comes next. */
export const canaryHoldsTraffic = (state: RolloutState): boolean =>
  state.phase === 'Succeeded' && state.finalizedAt === undefined && state.canaryWeight > 0;

/** The destination that holds all traffic once a revision has ended. */
export const trafficHolder = (state: RolloutState): DestinationRef =>
  canaryHoldsTraffic(state) ? state.spec.target.canary : state.spec.target.primary;

/** What `apply` does with a spec. */
export type ApplyPlan =
  | { kind: 'start'; revision: number }
  | { kind: 'unchanged' }
  | { kind: 'update'; changed: string[]; summary: string }
  | {
      kind: 'refuse';
      reason: 'in-flight' | 'traffic-elsewhere';
      message: string;
      unsafe?: string[];
    };

const inFlight = (previous: RolloutState, spec: RolloutSpec): ApplyPlan => {
  const { changes, changed, unsafe } = diffSpecs(previous.spec, spec);
  if (changed.length === 0) return { kind: 'unchanged' };
  if (unsafe.length === 0) return { kind: 'update', changed, summary: describeChanges(changes) };
  const id = previous.id;
  return {
    kind: 'refuse',
    reason: 'in-flight',
    unsafe,
    message:
      `rollout ${id} is ${previous.phase} (revision ${previous.revision}); these fields cannot change in flight: ${unsafe.join(', ')}. ` +
      `Either apply a spec that changes only ${SAFE_FIELDS.join(', ')}; ` +
      `or abort it (kanari abort ${id} --reason ...) and apply again, which starts a new revision from primary 100%. ` +
      `To hold the weights meanwhile: kanari pause ${id} --reason ...`,
  };
};

const afterSucceeded = (previous: RolloutState, spec: RolloutSpec): ApplyPlan | undefined => {
  const { id, revision } = previous;
  const canary = describeRef(previous.spec.target.canary);
  const primary = describeRef(previous.spec.target.primary);
  if (previous.pending?.action === 'finalize') {
    return {
      kind: 'refuse',
      reason: 'traffic-elsewhere',
      message: `rollout ${id} revision ${revision} is being finalized: traffic is moving back from ${canary} to ${primary}. Apply again once it is done (kanari get ${id}).`,
    };
  }
  if (sameRef(spec.target.primary, previous.spec.target.canary)) return undefined;
  return {
    kind: 'refuse',
    reason: 'traffic-elsewhere',
    message:
      `rollout ${id} revision ${revision} Succeeded: ${canary} holds all traffic and ${primary} none, so this spec's first step would move most traffic back to ${describeRef(spec.target.primary)}. ` +
      `Either make ${canary} the primary of the next release: kanari apply --swap -f <file>; ` +
      `or, once your CD runs the new version on ${primary}, move all traffic back to it: kanari finalize ${id} --reason ... and then apply again.`,
  };
};

/** After RolledBack, Failed, Aborted or a finalize, the primary holds the traffic. */
const afterPrimaryHolds = (previous: RolloutState, spec: RolloutSpec): ApplyPlan | undefined => {
  const holder = trafficHolder(previous);
  if (sameRef(spec.target.primary, holder) || !sameRef(spec.target.canary, holder))
    return undefined;
  return {
    kind: 'refuse',
    reason: 'traffic-elsewhere',
    message: `rollout ${previous.id} revision ${previous.revision} ended ${previous.phase} with ${describeRef(holder)} holding all traffic; this spec makes it the canary, so its first step would move most traffic to ${describeRef(spec.target.primary)}. Make ${describeRef(holder)} the primary (kanari apply --swap -f <file> swaps them).`,
  };
};

/**
 * Decides what applying `spec` does, given the rollout of the same id (if any):
 * - none, or a terminal one whose traffic holder is the new primary: a new revision starts;
 * - in flight: the same spec is `unchanged`; one that differs only in SAFE_FIELDS is an
 *   `update` in place; anything else is refused, naming the unsafe fields;
 * - Succeeded with the canary holding the traffic (not finalized): refused, unless the new
 *   spec's primary is that canary (the user swapped them).
 */
export const planApply = (previous: RolloutState | undefined, spec: RolloutSpec): ApplyPlan => {
  if (!previous) return { kind: 'start', revision: 1 };
  if (previous.id !== rolloutIdOf(spec))
    throw new RangeError(`spec is for ${rolloutIdOf(spec)}, not ${previous.id}`);
  if (!isTerminal(previous.phase)) return inFlight(previous, spec);
  // A finalize under way still counts: the canary holds the traffic until it is applied.
  const refused = canaryHoldsTraffic(previous)
    ? afterSucceeded(previous, spec)
    : afterPrimaryHolds(previous, spec);
  return refused ?? { kind: 'start', revision: previous.revision + 1 };
};
