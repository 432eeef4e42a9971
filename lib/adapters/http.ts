import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpExchange {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request, headers and body, after this long. */
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Sends requests over node:http(s), its connections kept alive (a warm Lambda reuses them). */
export type HttpSend = (url: URL, exchange: HttpExchange) => Promise<HttpAnswer>;

/**
 * The one HTTP transport of kanari's adapters that talk to a server by hand (the Kubernetes
 * API, AWS's JSON APIs): one keep-alive agent per destination, `tls` its TLS options.
 */
export const httpSender = (base: URL, tls: AgentOptions = {}): HttpSend => {
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, ...tls })
    : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  return (url, { method, headers, body, timeoutMs }) => {
    const signal = AbortSignal.timeout(timeoutMs);
    return new Promise<HttpAnswer>((resolve, reject) => {
      // The timeout's own TimeoutError, whatever the socket reports as it is torn down.
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      const req = send(url, { method, headers, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  };
};

/** The JSON a body holds, or undefined if it holds none. */
export const parsedJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
