import { ApiException } from '@kubernetes/client-node';
import {
  TrafficConflictError,
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
} from '../../ports/errors.ts';

/**
 * Translates a client-node failure into the port's named errors. 409 and 422 both mean the
 * guarded patch lost: the apiserver answers a failed `test` op with 422. Anything else is
 * returned as is (the caller rethrows it; the port treats it as retryable).
 */
export function toTrafficError(error: unknown, what: string): unknown {
  if (isAbort(error)) {
    return new Error(`${what}: the Kubernetes API did not answer in time`, { cause: error });
  }
  if (!(error instanceof ApiException)) return error;
  const code = error.code;
  const message = `${what}: ${statusMessage(error.body) ?? `HTTP ${code}`}`;
  if (code === 409 || code === 422) return new TrafficConflictError(message, { cause: error });
  if (code === 404) return new TrafficTargetNotFoundError(message, { cause: error });
  if (code === 401 || code === 403) return new TrafficForbiddenError(message, { cause: error });
  return error;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** The `message` of a Kubernetes Status body, which client-node hands over as text or JSON. */
function statusMessage(body: unknown): string | undefined {
  let status = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return body || undefined;
    }
  }
  const message = (status as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}
