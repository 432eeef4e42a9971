import type { Phase } from '../lib/domain/phase.ts';
import type { LedgerEntry, RolloutState } from '../lib/domain/state.ts';
import type { LedgerPage } from '../lib/ports/rollout-store.ts';
import type { Fetch } from './http.ts';

/** The HTTP API answered with an error; `status` and the server's message are kept. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  url: string;
  /** Local bearer token. */
  token?: string;
  /** Signs each request instead (AWS IAM authorizer). */
  sign?: (request: {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body?: string;
  }) => Promise<Record<string, string>>;
  /** Node's fetch unless given (the CLI gives nodeFetch, which starts faster). */
  fetch?: Fetch;
  /** How long to wait for an answer; then the API counts as unreachable. Default: no limit. */
  timeoutMs?: number;
}

export type RolloutPath = string;

/** One preflight finding: the check and a message naming the problem. */
export interface PreflightFinding {
  check: string;
  message: string;
}

/** What `POST /rollouts/preflight` answers. */
export interface PreflightAnswer {
  ok: boolean;
  problems: PreflightFinding[];
  warnings: PreflightFinding[];
}

/** A ledger entry as the API returns it: with a line in plain language. */
export type DescribedEntry = LedgerEntry & { description?: string };

/** A small client of kanari's HTTP API, shared by the CLI and the sandbox. */
export const createApiClient = (options: ApiClientOptions) => {
  const doFetch: Fetch = options.fetch ?? ((url, init) => fetch(url, init));
  const { timeoutMs } = options;
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const url = new URL(
      path.replace(/^\//, ''),
      options.url.endsWith('/') ? options.url : `${options.url}/`,
    );
    const text = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = {
      accept: 'application/json',
      ...(text ? { 'content-type': 'application/json' } : {}),
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.sign)
      headers = await options.sign({ method, url, headers, ...(text ? { body: text } : {}) });
    let response: Awaited<ReturnType<Fetch>>;
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    try {
      response = await doFetch(url, {
        method,
        headers,
        ...(signal ? { signal } : {}),
        ...(text ? { body: text } : {}),
      });
    } catch (error) {
      // status 0: nothing answered (refused, DNS, TLS, timeout).
      if (signal?.aborted)
        throw new ApiError(
          0,
          `cannot reach ${url.origin}: no answer within ${(timeoutMs ?? 0) / 1000} s`,
        );
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new ApiError(0, `cannot reach ${url.origin}: ${cause ?? (error as Error).message}`);
    }
    const raw = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      parsed = { error: raw.slice(0, 200) };
    }
    // A function that crashed comes back from serverless-offline as 200 with errorMessage.
    if (!response.ok || typeof parsed.errorMessage === 'string') {
      if (typeof parsed.errorMessage === 'string')
        throw new ApiError(502, `function failed: ${parsed.errorMessage}`, parsed);
      throw new ApiError(response.status, String(parsed.error ?? response.statusText), parsed);
    }
    return parsed as T;
  };
  const rolloutPath = (id: string): string =>
    `rollouts/${id.split('/').map(encodeURIComponent).join('/')}`;
  return {
    /** 201 `started`, or 200 `updated` / `unchanged` for a rollout in flight. */
    createRollout: (spec: unknown) =>
      request<{
        rollout: RolloutState;
        outcome?: 'started' | 'updated' | 'unchanged';
        warnings?: string[];
      }>('POST', 'rollouts', spec),
    /** The checks apply makes before any traffic moves; writes nothing. */
    preflight: (spec: unknown) => request<PreflightAnswer>('POST', 'rollouts/preflight', spec),
    listRollouts: (filter: { phase?: Phase; cluster?: string; namespace?: string } = {}) => {
      const query = new URLSearchParams(
        Object.entries(filter).filter(([, v]) => v) as [string, string][],
      ).toString();
      return request<{ rollouts: RolloutState[] }>('GET', `rollouts${query ? `?${query}` : ''}`);
    },
    getRollout: (id: string, page: { limit?: number; cursor?: string } = {}) => {
      const query = new URLSearchParams(
        Object.entries(page)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      ).toString();
      return request<{
        rollout: RolloutState;
        plan: number[];
        ledger: LedgerPage & { entries: DescribedEntry[] };
      }>('GET', `${rolloutPath(id)}${query ? `?${query}` : ''}`);
    },
    /** Every ledger entry, following cursors. */
    async fullLedger(
      id: string,
    ): Promise<{ rollout: RolloutState; plan: number[]; entries: DescribedEntry[] }> {
      const entries: DescribedEntry[] = [];
      let cursor: string | undefined;
      let rollout: RolloutState;
      let plan: number[];
      do {
        const page = await this.getRollout(id, { limit: 1000, ...(cursor ? { cursor } : {}) });
        rollout = page.rollout;
        plan = page.plan;
        entries.push(...page.ledger.entries);
        cursor = page.ledger.cursor;
      } while (cursor);
      return { rollout, plan, entries };
    },
    action: (id: string, action: string, body: Record<string, unknown>) =>
      request<{ rollout: RolloutState; entry: DescribedEntry }>(
        'POST',
        `${rolloutPath(id)}/actions/${action}`,
        body,
      ),
  };
};

export type ApiClient = ReturnType<typeof createApiClient>;
