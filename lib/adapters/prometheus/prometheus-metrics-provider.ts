import { MetricsQueryError } from '../../ports/errors.ts';
import type { MetricsProvider } from '../../ports/metrics-provider.ts';
import {
  interpret,
  interpretMatrix,
  interpretVector,
  type QuerySuccess,
  queryResponseBody,
} from './response.ts';
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
  /**
   * HTTP auth for a Prometheus behind it: a bearer token, or basic auth. The secret is asked
   * for each request (its reader caches), so a rotated one is picked up; it is never logged.
   */
  auth?:
    | { type: 'bearer'; token: () => Promise<string> }
    | { type: 'basic'; username: string; password: () => Promise<string> };
}

/** The Authorization header an auth option gives. */
const authorization = async (
  auth: NonNullable<PrometheusMetricsProviderOptions['auth']>,
): Promise<string> =>
  auth.type === 'bearer'
    ? `Bearer ${await auth.token()}`
    : `Basic ${Buffer.from(`${auth.username}:${await auth.password()}`).toString('base64')}`;

/**
 * A MetricsProvider for Prometheus and Amazon Managed Prometheus. Queries go as a POST form
 * to `/api/v1/query` or `/api/v1/query_range`, so long queries never hit URL limits; every
 * request takes the same path (signing, deadline, error translation).
 * See `interpret` for how results become a number or null.
 */
export const createPrometheusMetricsProvider = (
  options: PrometheusMetricsProviderOptions,
): MetricsProvider => {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sign = options.sigv4 ? createSigV4Signer(options.sigv4) : undefined;
  const base = options.url.replace(/\/+$/, '');
  const endpoints = {
    query: new URL(`${base}/api/v1/query`),
    query_range: new URL(`${base}/api/v1/query_range`),
  };

  const post = async (endpoint: URL, params: Record<string, string>, signal: AbortSignal) => {
    const body = new URLSearchParams(params).toString();
    let headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (options.auth) headers.authorization = await authorization(options.auth);
    if (sign) headers = await sign({ method: 'POST', url: endpoint, headers, body });
    const response = await fetchImpl(endpoint, { method: 'POST', headers, body, signal });
    return { status: response.status, text: await response.text() };
  };

  /** Sends one query and returns what `read` makes of its data; every failure is a MetricsQueryError. */
  const ask = async <T>(
    api: keyof typeof endpoints,
    params: { query: string } & Record<string, string>,
    read: (data: QuerySuccess['data']) => T | { problem: string },
  ): Promise<T> => {
    const fail = (detail: string, cause?: unknown): never => {
      throw new MetricsQueryError(`Prometheus query failed: ${detail}; query: ${params.query}`, {
        cause,
      });
    };
    let reply: { status: number; text: string };
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      reply = await withDeadline(post(endpoints[api], params, signal), signal);
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
    const result = read(body.data);
    return isProblem(result) ? fail(result.problem) : result;
  };

  const runQuery = async (query: string): Promise<number | null> =>
    (await ask('query', { query }, interpret)).value;

  return {
    runQuery,
    queryVector: async (query, at) =>
      (await ask('query', { query, ...(at && { time: seconds(at) }) }, interpretVector)).samples,
    queryRange: async (query, range) => {
      if (!(range.stepSeconds > 0) || range.end < range.start) {
        throw new MetricsQueryError(
          `Prometheus query failed: range needs start <= end and stepSeconds > 0; query: ${query}`,
        );
      }
      const params = {
        query,
        start: seconds(range.start),
        end: seconds(range.end),
        step: String(range.stepSeconds),
      };
      return (await ask('query_range', params, interpretMatrix)).series;
    },
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

const seconds = (date: Date): string => String(date.getTime() / 1000);

const isProblem = (value: unknown): value is { problem: string } =>
  typeof value === 'object' && value !== null && 'problem' in value;

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
