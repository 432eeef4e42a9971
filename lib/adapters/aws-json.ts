import { HttpRequest } from '@smithy/protocol-http';
import { type HttpSend, httpSender, parsedJson } from './http.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './retry.ts';
import { type AwsCredentials, sigV4 } from './sigv4.ts';

export type { AwsCredentials };

/** An AWS service that speaks the JSON protocol (`X-Amz-Target`), e.g. DynamoDB, EventBridge. */
export interface AwsJsonService {
  /** The signing name and endpoint prefix, e.g. `dynamodb`, `events`. */
  signingName: string;
  /** The X-Amz-Target prefix, e.g. `DynamoDB_20120810`, `AWSEvents`. */
  targetPrefix: string;
  /** The protocol's version: `application/x-amz-json-<version>`. */
  jsonVersion: '1.0' | '1.1';
}

export interface AwsJsonClientOptions {
  region: string;
  /** `https://<signingName>.<region>.amazonaws.com` unless given (DynamoDB Local, a test). */
  endpoint?: string;
  /** Defaults to the AWS SDK's default chain (in the Lambda bundles: the environment). */
  credentials?: AwsCredentials;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** Calls one operation with its input in the service's JSON shape and returns its output. */
export type AwsJsonCall = <Output>(operation: string, input: object) => Promise<Output>;

/**
 * An error the service answered with: `name` is its type (`ConditionalCheckFailedException`),
 * and the other fields of its body (e.g. `CancellationReasons`) are kept on it as they came.
 */
export class AwsServiceError extends Error {
  readonly status: number;
  [field: string]: unknown;
  constructor(status: number, body: Record<string, unknown>) {
    const { __type, message, Message, ...fields } = body;
    super(String(message ?? Message ?? `HTTP ${status}`));
    Object.assign(this, fields);
    // `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`, or with a `:` suffix.
    this.name = String(__type ?? `HTTP${status}`)
      .split('#')
      .at(-1)
      ?.split(':')[0] as string;
    this.status = status;
  }
}

const THROTTLED = new Set([
  'ThrottlingException',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottledException',
  'TooManyRequestsException',
]);
const NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED']);

/** Worth another try: a 5xx or throttled answer, a timeout, a connection that failed. */
export const isTransientAwsError = (error: unknown): boolean => {
  if (error instanceof AwsServiceError)
    return error.status >= 500 || error.status === 429 || THROTTLED.has(error.name);
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    (error instanceof Error && error.name === 'TimeoutError') ||
    (typeof code === 'string' && NETWORK.has(code))
  );
};

/**
 * A client of one AWS JSON-protocol service in the few lines that protocol takes: the input
 * as JSON, signed with SigV4 (@smithy/signature-v4, as the SDK signs), POSTed with its
 * X-Amz-Target, and transient failures retried with backoff (retry.ts). It is
 * what kanari's functions send to DynamoDB and EventBridge instead of the SDK's clients,
 * whose code is four times the rest of a bundle and most of its cold start (docs/scale.md).
 */
export const awsJsonClient = (
  service: AwsJsonService,
  options: AwsJsonClientOptions,
): AwsJsonCall => {
  const url = new URL(
    options.endpoint ?? `https://${service.signingName}.${options.region}.amazonaws.com`,
  );
  const signer = sigV4(service.signingName, options.region, options.credentials);
  const send: HttpSend = httpSender(url);
  const timeoutMs = options.timeoutMs ?? 10_000;

  const attempt = async <Output>(operation: string, body: string): Promise<Output> => {
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: {
          host: url.host,
          'content-type': `application/x-amz-json-${service.jsonVersion}`,
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-target': `${service.targetPrefix}.${operation}`,
        },
        body,
      }),
    );
    const { status, text } = await send(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      timeoutMs,
    });
    const answer = parsedJson(text);
    if (status >= 200 && status < 300 && answer !== undefined) return answer as Output;
    throw new AwsServiceError(
      status,
      typeof answer === 'object' && answer !== null
        ? (answer as Record<string, unknown>)
        : { message: `${operation} answered HTTP ${status}: ${text.slice(0, 200)}` },
    );
  };

  return (operation, input) => {
    const body = JSON.stringify(input);
    return withRetries(
      () => attempt(operation, body),
      isTransientAwsError,
      options.retry ?? DEFAULT_RETRY,
    );
  };
};

/** The endpoint the AWS SDK would take from the environment for a service, if it names one. */
export const endpointFromEnv = (
  env: Record<string, string | undefined>,
  serviceId: string,
): string | undefined => env[`AWS_ENDPOINT_URL_${serviceId}`] ?? env.AWS_ENDPOINT_URL;
