import type { Alert } from '../../lib/domain/alert-matching.ts';
import { type AlertSource, signatureHeaderOf } from '../../lib/schemas/alert-sources.ts';
import {
  alertmanagerWebhookSchema,
  grafanaWebhookSchema,
  normalizeAlertmanager,
  type Parsed,
  parseWith,
} from '../../lib/schemas/alerts.ts';
import { normalizeGeneric } from '../../lib/schemas/generic-alerts.ts';
import { HttpError, type HttpEvent } from './http.ts';
import { lowercaseHeaders, verifyBearer, verifyHmac, WebhookAuthError } from './webhook-auth.ts';

/** Larger bodies are refused before anything else reads them (API Gateway allows 10 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The body's bytes, exactly as signed; serverless-offline and API Gateway may base64 them. */
const rawBody = (event: HttpEvent): Buffer => {
  const body = event.body ?? '';
  const encoding = event.isBase64Encoded ? 'base64' : 'utf8';
  // byteLength measures without decoding, so an oversized body is never copied.
  if (Buffer.byteLength(body, encoding) > MAX_BODY_BYTES)
    throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);
  return Buffer.from(body, encoding);
};

const normalize = (name: string, source: AlertSource, body: unknown): Parsed<Alert[]> => {
  if (source.type === 'generic' && source.mapping)
    return normalizeGeneric(name, source.mapping, body);
  const parsed =
    source.type === 'grafana'
      ? parseWith(grafanaWebhookSchema, body)
      : parseWith(alertmanagerWebhookSchema, body);
  return parsed.ok ? { ok: true, value: normalizeAlertmanager(name, parsed.value) } : parsed;
};

/**
 * Checks a webhook delivery in the order that costs least and reveals least: size (413), then
 * the secret (401), then JSON (400), then the payload's shape (400 naming the field). Returns
 * the alerts it carries; throws HttpError otherwise, before anything is read or written.
 */
export const readAlerts = (
  name: string,
  source: AlertSource,
  secret: string,
  event: HttpEvent,
  now: Date,
): Alert[] => {
  const body = rawBody(event);
  const headers = lowercaseHeaders(event.headers);
  try {
    if (source.auth === 'bearer') verifyBearer(headers, secret);
    else
      verifyHmac(headers, body, secret, {
        signatureHeader: signatureHeaderOf(source),
        ...(source.timestampHeader ? { timestampHeader: source.timestampHeader } : {}),
        now,
      });
  } catch (error) {
    if (error instanceof WebhookAuthError) throw new HttpError(401, error.message);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  const alerts = normalize(name, source, json);
  if (!alerts.ok) {
    const { path, message } = alerts.problem;
    throw new HttpError(400, `invalid ${source.type} payload: ${path}: ${message}`, { path });
  }
  return alerts.value;
};
