import { MetricsQueryError } from '../../ports/errors.ts';
import type { MetricsProvider } from '../../ports/metrics-provider.ts';
import { interpret, queryResponseBody } from './response.ts';
import { createSigV4Signer, type SigV4Options } from './sigv4.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
const BODY_SNIPPET_CHARS = 300;

export interface PrometheusMetricsProviderOptions {
  /**
   * The Prometheus base URL, e.g. `http://prometheus:9090`, or an Amazon Managed Prometheus
   * workspace, e.g. `https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-123`.
   */
  url: string;
  fetch?: typeof fetch;
  /** Per request, including credential resolution when signing. */
  timeoutMs?: number;
  /** Sign each request with SigV4 (Amazon Managed Prometheus). */
  sigv4?: SigV4Options;
}

/**
 * A MetricsProvider for Prometheus and Amazon Managed Prometheus. Instant queries go as a
 * POST form to `/api/v1/query`, so long queries never hit URL limits.
 * See `interpret` for how results become a number or null.
 */
export const createPrometheusMetricsProvider = (
  options: PrometheusMetricsProviderOptions,
): MetricsProvider => {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sign = options.sigv4 ? createSigV4Signer(options.sigv4) : undefined;
  const endpoint = new URL(`${options.url.replace(/\/+$/, '')}/api/v1/query`);

  const post = async (query: string, signal: AbortSignal) => {
    const body = new URLSearchParams({ query }).toString();
    let headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (sign) headers = await sign({ method: 'POST', url: endpoint, headers, body });
    const response = await fetchImpl(endpoint, { method: 'POST', headers, body, signal });
    return { status: response.status, text: await response.text() };
  };

  const runQuery = async (query: string): Promise<number | null> => {
    const fail = (detail: string, cause?: unknown): never => {
      throw new MetricsQueryError(`Prometheus query failed: ${detail}; query: ${query}`, { cause });
    };
    let reply: { status: number; text: string };
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      reply = await withDeadline(post(query, signal), signal);
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return fail(timedOut ? `no answer within ${timeoutMs} ms` : describe(error), error);
    }
    let json: unknown;
    try {
      json = JSON.parse(reply.text);
    } catch (error) {
      return fail(`HTTP ${reply.status}, not JSON: ${snippet(reply.text)}`, error);
    }
    const parsed = queryResponseBody.safeParse(json);
    if (!parsed.success) {
      return fail(`HTTP ${reply.status}, unexpected body: ${snippet(reply.text)}`, parsed.error);
    }
    const body = parsed.data;
    if (body.status === 'error') {
      // Prometheus answers bad queries with 400/422 and a body that says why.
      return fail(`HTTP ${reply.status} ${body.errorType ?? 'error'}: ${body.error ?? ''}`, body);
    }
    if (reply.status < 200 || reply.status > 299) {
      return fail(`HTTP ${reply.status}: ${snippet(reply.text)}`, body);
    }
    const result = interpret(body.data);
    return 'problem' in result ? fail(result.problem) : result.value;
  };

  return {
    runQuery,
    // `/-/ready` does not exist on Amazon Managed Prometheus; a trivial query works on both.
    isOnline: async () => {
      try {
        return (await runQuery('vector(1)')) === 1;
      } catch {
        return false;
      }
    },
  };
};

/** fetch honours the signal itself; this also bounds credential resolution while signing. */
const withDeadline = <T>(work: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

const snippet = (text: string): string =>
  text.length > BODY_SNIPPET_CHARS ? `${text.slice(0, BODY_SNIPPET_CHARS)}…` : text;

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  // undici hides the useful part (ECONNREFUSED, ...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
};
