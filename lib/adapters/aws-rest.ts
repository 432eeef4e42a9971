import { AwsServiceError, isTransientAwsError } from './aws-json.ts';
import { parsedJson } from './http.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './retry.ts';
import { type AwsCredentials, fetchSigner } from './sigv4.ts';

export interface AwsRestClientOptions {
  region: string;
  /** `https://<service>.<region>.amazonaws.com` unless given (a test). */
  endpoint?: string;
  credentials?: AwsCredentials;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** One request of a REST-JSON service; the answer's body as text, for a 2xx. */
export type AwsRestCall = (
  method: string,
  path: string,
  request?: { headers?: Record<string, string>; body?: string },
) => Promise<{ status: number; text: string }>;

/**
 * A client of an AWS service that speaks REST-JSON (Lambda's Invoke, EKS): the path names the
 * operation, the request is SigV4-signed (sigv4.ts) and sent with fetch, an error answer becomes
 * an AwsServiceError named by `x-amzn-errortype`, and transient failures are retried as the
 * JSON-protocol client retries them (aws-json.ts).
 */
export const awsRestClient = (service: string, options: AwsRestClientOptions): AwsRestCall => {
  const base = options.endpoint ?? `https://${service}.${options.region}.amazonaws.com`;
  const sign = fetchSigner(service, options.region, options.credentials);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return (method, path, request = {}) => {
    const url = new URL(path, base);
    const attempt = async () => {
      const headers = request.headers ?? {};
      const response = await fetch(url, {
        method,
        headers: { ...headers, ...(await sign({ method, url, headers, body: request.body })) },
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.ok) return { status: response.status, text };
      const body = parsedJson(text);
      const fields =
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      throw new AwsServiceError(response.status, {
        ...fields,
        __type: response.headers.get('x-amzn-errortype') ?? fields.__type ?? fields.Type,
        message:
          fields.message ?? fields.Message ?? `HTTP ${response.status}: ${text.slice(0, 200)}`,
      });
    };
    return withRetries(attempt, isTransientAwsError, options.retry ?? DEFAULT_RETRY);
  };
};
