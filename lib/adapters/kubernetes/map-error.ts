import {
  TrafficConflictError,
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
  TrafficUnavailableError,
} from '../../ports/errors.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from '../retry.ts';
import { KubeApiError } from './kube-http.ts';

/** One Kubernetes API request, its failure named for the port, tried again while it may pass. */
export const kubeRequest = <T>(
  what: string,
  policy: RetryPolicy | undefined,
  call: () => Promise<T>,
): Promise<T> =>
  withRetries(
    async () => {
      try {
        return await call();
      } catch (error) {
        throw toTrafficError(error, what);
      }
    },
    (error) => error instanceof TrafficUnavailableError,
    policy ?? DEFAULT_RETRY,
  );

/**
 * Translates a failed Kubernetes API request into the port's named errors. 409 and 422 both mean the
 * guarded patch lost: the apiserver answers a failed `test` op with 422. A timeout, a failed
 * connection, a 429 or a 5xx may pass (`TrafficUnavailableError`, retried). Anything else is
 * returned as is.
 */
export function toTrafficError(error: unknown, what: string): unknown {
  if (isAbort(error)) {
    return new TrafficUnavailableError(`${what}: the Kubernetes API did not answer in time`, {
      cause: error,
    });
  }
  if (!(error instanceof KubeApiError)) {
    const failed = connectionFailure(error);
    return failed
      ? new TrafficUnavailableError(`${what}: the connection failed (${failed})`, { cause: error })
      : error;
  }
  const code = error.code;
  const message = `${what}: ${statusMessage(error.body) ?? WITHOUT_BODY[code] ?? `HTTP ${code}`}`;
  if (code === 409 || code === 422) return new TrafficConflictError(message, { cause: error });
  if (code === 404) return new TrafficTargetNotFoundError(message, { cause: error });
  if (code === 401 || code === 403) return new TrafficForbiddenError(message, { cause: error });
  if (code === 429 || code >= 500) return new TrafficUnavailableError(message, { cause: error });
  return error;
}

/** What a status says when its answer has no Status body to quote. */
const WITHOUT_BODY: Record<number, string> = {
  401: "HTTP 401 Unauthorized: the cluster refused kanari's credentials",
  403: 'HTTP 403 Forbidden: kanari may not do this',
  404: 'HTTP 404: not found',
};

/** Node's socket error codes that mean the request may not have been served. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** The socket error code of a failed request (possibly wrapped as a cause), if that is what it is. */
function connectionFailure(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
    if (e.message === 'socket hang up') return 'socket hang up';
    e = e.cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** The `message` of a Kubernetes Status body, parsed or as text. */
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
