/** Named errors that adapters translate outside-system failures into. */
export class KanariError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stored rollout changed since it was read; the writer's decision is stale. */
export class RolloutVersionConflictError extends KanariError {}
/** A ledger page cursor that this store did not hand out for that rollout. */
export class InvalidCursorError extends KanariError {}
/** No rollout with that id. */
export class RolloutNotFoundError extends KanariError {}
/** A rollout with that id is already in flight. */
export class RolloutExistsError extends KanariError {}
/** Another rollout that is not terminal owns the VirtualService: one route, one owner. */
export class TargetOwnedError extends KanariError {
  constructor(
    target: { cluster: string; namespace: string; virtualService: string },
    /** The owning rollout's id. */
    readonly owner: string,
  ) {
    super(
      `VirtualService ${target.namespace}/${target.virtualService} in cluster "${target.cluster}" is owned by rollout ${owner}, which is not finished; finish, roll back or abort it first`,
    );
  }
}
/** The VirtualService changed underneath a guarded patch (409, or 422 from a failed test op). */
export class TrafficConflictError extends KanariError {}
/** The VirtualService (or its namespace) does not exist. */
export class TrafficTargetNotFoundError extends KanariError {}
/** The Kubernetes API refused our credentials (401/403). */
export class TrafficForbiddenError extends KanariError {}
/**
 * The Kubernetes API did not answer, or answered 5xx or 429 (a timeout, a reset connection, an
 * overloaded apiserver): it may pass, so it was retried, and the decision stays pending.
 */
export class TrafficUnavailableError extends KanariError {}
/** The metrics backend could not answer (unreachable, 5xx, bad query). */
export class MetricsQueryError extends KanariError {}
