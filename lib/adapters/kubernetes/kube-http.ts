import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  const base = new URL(kc.server);
  const tls = base.protocol === 'https:';
  const agent = tls
    ? new HttpsAgent({
        keepAlive: true,
        ...(kc.ca ? { ca: pemBytes(kc.ca) } : {}),
        ...(kc.cert ? { cert: pemBytes(kc.cert) } : {}),
        ...(kc.key ? { key: pemBytes(kc.key) } : {}),
        ...(kc.serverName ? { servername: kc.serverName } : {}),
        rejectUnauthorized: !kc.insecure,
      })
    : new HttpAgent({ keepAlive: true });
  const send = tls ? httpsRequest : httpRequest;
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
    const signal = AbortSignal.timeout(timeoutMs);
    const { status, text } = await new Promise<{ status: number; text: string }>(
      (resolve, reject) => {
        // The timeout's own TimeoutError, whatever the socket reports as it is torn down.
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        const req = send(
          new URL(prefix + path, base),
          { method, headers, agent, signal },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      },
    );
    if (status < 200 || status > 299) throw new KubeApiError(status, parsed(text) ?? text);
    const answer = parsed(text);
    if (answer === undefined)
      throw new Error(`the Kubernetes API answered HTTP ${status} with a body that is not JSON`);
    return answer;
  };
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
