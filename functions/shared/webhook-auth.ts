import { createHmac } from 'node:crypto';
import { KanariError } from '../../lib/ports/errors.ts';
import { bearerToken, sameSecret } from './credentials.ts';

/** Grafana's replay window: a signed timestamp more than this far from now is refused. */
export const MAX_SKEW_SECONDS = 5 * 60;

/** The caller did not prove it holds the source's secret. Always a 401. */
export class WebhookAuthError extends KanariError {}

export type Headers = Record<string, string | undefined>;

/** Header names lowercased, as HTTP says they are case-insensitive. */
export const lowercaseHeaders = (headers: Headers | undefined): Headers =>
  Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );

/** `Authorization: Bearer <token>`, as Alertmanager's `http_config.authorization` sends it. */
export const verifyBearer = (headers: Headers, secret: string): void => {
  const header = headers.authorization;
  if (!header)
    throw new WebhookAuthError('missing credentials: send Authorization: Bearer <token>');
  const token = bearerToken(header);
  if (!token) throw new WebhookAuthError('malformed Authorization header: expected Bearer <token>');
  if (!sameSecret(token, secret)) throw new WebhookAuthError('invalid token');
};

/** Lowercase hex HMAC-SHA256 of `body`, prefixed by `<timestamp>:` when there is a timestamp. */
export const hmacSignature = (secret: string, body: Buffer, timestamp?: string): string => {
  const hmac = createHmac('sha256', secret);
  if (timestamp !== undefined) hmac.update(`${timestamp}:`);
  return hmac.update(body).digest('hex');
};

export interface HmacOptions {
  /** Lowercase header name holding the hex signature (an optional `sha256=` prefix is allowed). */
  signatureHeader: string;
  /** Lowercase header name of the signed unix-seconds timestamp, when the sender sends one. */
  timestampHeader?: string;
  now: Date;
}

/**
 * Grafana's webhook signature: HMAC-SHA256 of the raw body, lowercase hex. With a timestamp
 * header Grafana signs `"<unix seconds>:" + body`, and only ±5 minutes are accepted, so a
 * captured request cannot be replayed later.
 */
export const verifyHmac = (
  headers: Headers,
  body: Buffer,
  secret: string,
  options: HmacOptions,
): void => {
  const presented = headers[options.signatureHeader]?.trim().replace(/^sha256=/i, '');
  if (!presented) throw new WebhookAuthError(`missing signature header ${options.signatureHeader}`);
  const timestamp = options.timestampHeader ? headers[options.timestampHeader]?.trim() : undefined;
  if (options.timestampHeader && !timestamp)
    throw new WebhookAuthError(`missing timestamp header ${options.timestampHeader}`);
  if (!sameSecret(presented.toLowerCase(), hmacSignature(secret, body, timestamp)))
    throw new WebhookAuthError('invalid signature');
  if (timestamp === undefined) return;
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  const skew = Math.abs(options.now.getTime() / 1000 - seconds);
  if (!(skew <= MAX_SKEW_SECONDS))
    throw new WebhookAuthError(
      `stale timestamp: the signed time is more than ${MAX_SKEW_SECONDS / 60} minutes from now`,
    );
};
