import type { DestinationRef, RolloutTarget } from './rollout-spec.ts';
import type {
  Destination,
  HttpRoute,
  JsonPatchOperation,
  VirtualService,
} from './virtual-service.ts';

/** The VirtualService does not have the shape the rollout spec expects. */
export class VirtualServiceShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtualServiceShapeError';
  }
}

export interface Weights {
  primary: number;
  canary: number;
}

const shortHost = (host: string): string => host.split('.')[0] as string;

/** Istio hosts may be short names or FQDNs; a subset, when the ref names one, must match too. */
export const sameDestination = (destination: Destination, ref: DestinationRef): boolean =>
  (destination.host === ref.host || shortHost(destination.host) === shortHost(ref.host)) &&
  (ref.subset === undefined || destination.subset === ref.subset);

const indexOf = (route: HttpRoute, ref: DestinationRef): number =>
  (route.route ?? []).findIndex((entry) => sameDestination(entry.destination, ref));

const holdsBoth = (route: HttpRoute, target: RolloutTarget): boolean =>
  indexOf(route, target.primary) >= 0 && indexOf(route, target.canary) >= 0;

const describe = (ref: DestinationRef): string =>
  ref.subset ? `${ref.host}/${ref.subset}` : ref.host;

/** Index of the managed http route: by name, by index, or the first holding both destinations. */
export const managedRouteIndex = (vs: VirtualService, target: RolloutTarget): number => {
  const routes = vs.spec.http ?? [];
  const name = vs.metadata.name;
  let index: number;
  if (typeof target.route === 'number') index = target.route < routes.length ? target.route : -1;
  else if (typeof target.route === 'string')
    index = routes.findIndex((route) => route.name === target.route);
  else index = routes.findIndex((route) => holdsBoth(route, target));
  if (index < 0) {
    const which =
      target.route === undefined ? 'holding both destinations' : JSON.stringify(target.route);
    throw new VirtualServiceShapeError(`VirtualService ${name} has no http route ${which}`);
  }
  const route = routes[index] as HttpRoute;
  for (const ref of [target.primary, target.canary]) {
    if (indexOf(route, ref) < 0) {
      throw new VirtualServiceShapeError(
        `http route ${index} of VirtualService ${name} has no destination ${describe(ref)}`,
      );
    }
  }
  const others = (route.route ?? []).filter(
    (entry) =>
      !sameDestination(entry.destination, target.primary) &&
      !sameDestination(entry.destination, target.canary),
  );
  if (others.some((entry) => (entry.weight ?? 0) > 0)) {
    throw new VirtualServiceShapeError(
      `http route ${index} of VirtualService ${name} sends traffic to destinations other than the primary and canary`,
    );
  }
  return index;
};

/** The managed route's current weights. A lone destination without weight takes all traffic. */
export const currentWeights = (vs: VirtualService, target: RolloutTarget): Weights => {
  const route = (vs.spec.http ?? [])[managedRouteIndex(vs, target)] as HttpRoute;
  const entries = route.route ?? [];
  const weightOf = (ref: DestinationRef): number =>
    entries[indexOf(route, ref)]?.weight ?? (entries.length === 1 ? 100 : 0);
  return { primary: weightOf(target.primary), canary: weightOf(target.canary) };
};

const setWeight = (
  path: string,
  current: number | undefined,
  value: number,
): JsonPatchOperation[] =>
  current === undefined
    ? [{ op: 'add', path, value }]
    : [
        { op: 'test', path, value: current },
        { op: 'replace', path, value },
      ];

const weightOps = (
  route: HttpRoute,
  routeIndex: number,
  target: RolloutTarget,
  canary: number,
): JsonPatchOperation[] =>
  [
    { ref: target.primary, weight: 100 - canary },
    { ref: target.canary, weight: canary },
  ].flatMap(({ ref, weight }) => {
    const at = indexOf(route, ref);
    const entry = route.route?.[at];
    return setWeight(`/spec/http/${routeIndex}/route/${at}/weight`, entry?.weight, weight);
  });

/**
 * The JSON patch that moves the managed route to `canaryWeight` (primary gets the rest, so
 * the weights sum to 100). Each weight is guarded by a `test` of its current value. No other
 * field is touched.
 */
export const progressPatch = (
  vs: VirtualService,
  target: RolloutTarget,
  canaryWeight: number,
): JsonPatchOperation[] => {
  if (!Number.isInteger(canaryWeight) || canaryWeight < 0 || canaryWeight > 100) {
    throw new RangeError(`canary weight must be an integer from 0 to 100, got ${canaryWeight}`);
  }
  const index = managedRouteIndex(vs, target);
  const now = currentWeights(vs, target);
  if (now.canary === canaryWeight && now.primary === 100 - canaryWeight) return [];
  return weightOps((vs.spec.http ?? [])[index] as HttpRoute, index, target, canaryWeight);
};

/**
 * The JSON patch for a rollback: every http route that sends traffic to the canary sends it to
 * the primary instead. Where a route holds both, the primary takes 100 and the canary 0; where
 * it holds the canary alone, that destination is pointed at the primary, keeping its port.
 */
export const rollbackPatch = (vs: VirtualService, target: RolloutTarget): JsonPatchOperation[] => {
  managedRouteIndex(vs, target);
  return (vs.spec.http ?? []).flatMap((route, routeIndex) => {
    const canaryAt = indexOf(route, target.canary);
    const canaryEntry = route.route?.[canaryAt];
    if (!canaryEntry) return [];
    const primaryAt = indexOf(route, target.primary);
    if (primaryAt >= 0) {
      if ((canaryEntry.weight ?? 0) === 0) return [];
      return weightOps(route, routeIndex, target, 0);
    }
    const path = `/spec/http/${routeIndex}/route/${canaryAt}/destination`;
    const pointed: Destination = { ...canaryEntry.destination, host: target.primary.host };
    if (target.primary.subset === undefined) delete pointed.subset;
    else pointed.subset = target.primary.subset;
    return [
      { op: 'test', path, value: canaryEntry.destination },
      { op: 'replace', path, value: pointed },
    ];
  });
};

/** The annotation naming the rollout that moves this VirtualService's weights. */
export const ROLLOUT_ANNOTATION = 'kanari.dev/rollout';
/** The annotation naming that rollout's revision. */
export const REVISION_ANNOTATION = 'kanari.dev/revision';

// RFC 6901: "~" and "/" in a key are escaped in a JSON pointer.
const pointerKey = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The JSON patch that names the managing rollout in the VirtualService's annotations, so that
 * `kubectl describe` shows who moves its weights. It is the one metadata field kanari writes:
 * other annotations are kept, and when there are none the whole map is added (a JSON-patch
 * `add` into a missing object fails).
 */
export const annotationPatch = (
  vs: VirtualService,
  rollout: { id: string; revision: number },
): JsonPatchOperation[] => {
  const wanted: Record<string, string> = {
    [ROLLOUT_ANNOTATION]: rollout.id,
    [REVISION_ANNOTATION]: String(rollout.revision),
  };
  const current = vs.metadata.annotations as Record<string, string> | undefined;
  if (current === undefined || current === null)
    return [{ op: 'add', path: '/metadata/annotations', value: wanted }];
  return Object.entries(wanted)
    .filter(([key, value]) => current[key] !== value)
    .map(([key, value]) => ({
      // `add` on an existing member replaces it, so one op covers both cases.
      op: 'add' as const,
      path: `/metadata/annotations/${pointerKey(key)}`,
      value,
    }));
};
