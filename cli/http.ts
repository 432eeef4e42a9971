import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What the API client needs of fetch: a method, headers, a body; an answer's status and text. */
export type Fetch = (
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; statusText: string; text: () => Promise<string> }>;

/**
 * fetch over node:http and node:https. The CLI uses it because Node's own fetch takes about
 * 100 ms to load on first use, a third of the start-up budget (bench:cli).
 */
export const nodeFetch: Fetch = (url, { method, headers, body, signal }) =>
  new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        ...(signal ? { signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: response.statusMessage ?? '',
            text: async () => text,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
