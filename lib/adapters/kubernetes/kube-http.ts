import { httpSender, parsedJson } from '../http.ts';
import { type KubeConfig, pemBytes } from './kube-config.ts';

/** The Kubernetes API answered with a status that is not 2xx; `body` is its Status, or text. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}`);
    this.name = 'KubeApiError';
  }
}

export interface KubeRequest {
  method: 'GET' | 'PATCH';
  /** The path under the server, each segment already encoded. */
  path: string;
  body?: unknown;
  /** The body's media type, e.g. `application/json-patch+json`. */
  contentType?: string;
  /** Aborts the request, headers and body, after this long. */
  timeoutMs: number;
}

/** Sends one request to a cluster and returns its JSON answer. */
export type KubeClient = (request: KubeRequest) => Promise<unknown>;

/**
 * A client for one cluster over node:http(s), its connections kept alive between requests (a
 * warm Lambda reuses them). It asks for the bearer token before every request.
 */
export function kubeClient(kc: KubeConfig): KubeClient {
  const { lookup } = kc;
  if (!lookup) return connectedClient(kc);
  // Looked up at the first request, not at start: one cluster that cannot be found delays no
  // other, and a failed lookup is asked again by the next request.
  let connected: Promise<KubeClient> | undefined;
  return async (request) => {
    if (!connected) {
      const pending = lookup().then((found) => connectedClient({ ...kc, ...found }));
      connected = pending;
      pending.catch(() => {
        if (connected === pending) connected = undefined;
      });
    }
    return (await connected)(request);
  };
}

function connectedClient(kc: KubeConfig): KubeClient {
  const base = new URL(kc.server);
  const send = httpSender(base, {
    ...(kc.ca ? { ca: pemBytes(kc.ca) } : {}),
    ...(kc.cert ? { cert: pemBytes(kc.cert) } : {}),
    ...(kc.key ? { key: pemBytes(kc.key) } : {}),
    ...(kc.serverName ? { servername: kc.serverName } : {}),
    rejectUnauthorized: !kc.insecure,
  });
  const prefix = base.pathname.replace(/\/$/, '');

  return async ({ method, path, body, contentType, timeoutMs }) => {
    const token = kc.token ? await kc.token() : undefined;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload !== undefined
        ? {
            'content-type': contentType ?? 'application/json',
            'content-length': String(Buffer.byteLength(payload)),
          }
        : {}),
    };
    const { status, text } = await send(new URL(prefix + path, base), {
      method,
      headers,
      body: payload,
      timeoutMs,
    });
    if (status < 200 || status > 299) throw new KubeApiError(status, parsedJson(text) ?? text);
    const answer = parsedJson(text);
    if (answer === undefined)
      throw new Error(`the Kubernetes API answered HTTP ${status} with a body that is not JSON`);
    return answer;
  };
}
