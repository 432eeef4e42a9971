import type { InvokeAsync } from '../../ports/dead-letter-queue.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from '../retry.ts';
import { type AwsCredentials, fetchSigner } from '../sigv4.ts';

export interface InvokeOptions {
  region: string;
  /** `https://lambda.<region>.amazonaws.com` unless given. */
  endpoint?: string;
  credentials?: AwsCredentials;
  retry?: RetryPolicy;
}

class InvokeError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'InvokeError';
  }
}

/**
 * Lambda's Invoke with `X-Amz-Invocation-Type: Event`: queued for the function as EventBridge
 * queues it, so a failure goes through the function's retries and on-failure destination again.
 * Throttled and 5xx answers are tried again.
 */
export const lambdaInvokeAsync = (functionName: string, options: InvokeOptions): InvokeAsync => {
  const base = options.endpoint ?? `https://lambda.${options.region}.amazonaws.com`;
  const url = new URL(
    `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    base,
  );
  const sign = fetchSigner('lambda', options.region, options.credentials);
  const attempt = async (body: string) => {
    const headers = { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' };
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, ...(await sign({ method: 'POST', url, headers, body })) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status === 202) return;
    let message = text.slice(0, 200);
    try {
      const parsed = JSON.parse(text) as { message?: string; Message?: string; Type?: string };
      message = parsed.message ?? parsed.Message ?? message;
    } catch {}
    throw new InvokeError(
      `Invoke ${functionName} answered HTTP ${response.status}: ${message}`,
      response.status,
    );
  };
  return (event) =>
    withRetries(
      () => attempt(JSON.stringify(event)),
      (error) =>
        error instanceof InvokeError
          ? error.status === 429 || error.status >= 500
          : error instanceof Error && error.name === 'TimeoutError',
      options.retry ?? DEFAULT_RETRY,
    );
};
