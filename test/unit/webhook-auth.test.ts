import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hmacSignature,
  lowercaseHeaders,
  verifyBearer,
  verifyHmac,
  WebhookAuthError,
} from '../../functions/shared/webhook-auth.ts';

const KEY = 'grafana-hmac-key';
const NOW = new Date('2030-01-01T12:00:00Z');
const SECONDS = String(NOW.getTime() / 1000);
const BODY = Buffer.from('{"receiver":"kanari","status":"firing","alerts":[]}');
const GRAFANA = {
  signatureHeader: 'x-grafana-alerting-signature',
  timestampHeader: 'x-grafana-alerting-signature-timestamp',
  now: NOW,
};

/** What Grafana sends: HMAC-SHA256 over "<unix seconds>:<body>", lowercase hex. */
const grafanaSigned = (body: Buffer, key = KEY, timestamp = SECONDS) => ({
  'x-grafana-alerting-signature': createHmac('sha256', key)
    .update(`${timestamp}:${body.toString('utf8')}`)
    .digest('hex'),
  'x-grafana-alerting-signature-timestamp': timestamp,
});

const refusal = (check: () => void): string => {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookAuthError);
    return (error as Error).message;
  }
  throw new Error('expected the request to be refused');
};

describe('bearer tokens', () => {
  it('accepts the token Alertmanager sends', () => {
    expect(() => verifyBearer({ authorization: 'Bearer s3cret' }, 's3cret')).not.toThrow();
  });

  it('refuses a missing, malformed or wrong token without echoing any secret', () => {
    expect(refusal(() => verifyBearer({}, 's3cret'))).toMatch(/^missing credentials/);
    expect(refusal(() => verifyBearer({ authorization: 'Basic abc' }, 's3cret'))).toMatch(
      /^malformed Authorization header/,
    );
    const wrong = refusal(() => verifyBearer({ authorization: 'Bearer s3cre' }, 's3cret'));
    expect(wrong).toBe('invalid token');
  });
});

describe('Grafana HMAC signatures', () => {
  it('accepts a Grafana-signed payload', () => {
    expect(() => verifyHmac(grafanaSigned(BODY), BODY, KEY, GRAFANA)).not.toThrow();
  });

  it('accepts the headers whatever their case, once lowercased', () => {
    const headers = lowercaseHeaders({
      'X-Grafana-Alerting-Signature': grafanaSigned(BODY)['x-grafana-alerting-signature'],
      'X-Grafana-Alerting-Signature-Timestamp': SECONDS,
    });
    expect(() => verifyHmac(headers, BODY, KEY, GRAFANA)).not.toThrow();
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(BODY.toString('utf8').replace('firing', 'resolved'));
    expect(refusal(() => verifyHmac(grafanaSigned(BODY), tampered, KEY, GRAFANA))).toBe(
      'invalid signature',
    );
  });

  it('refuses a signature made with another key', () => {
    expect(refusal(() => verifyHmac(grafanaSigned(BODY, 'other-key'), BODY, KEY, GRAFANA))).toBe(
      'invalid signature',
    );
  });

  it('refuses a correctly signed but stale timestamp, either way of now', () => {
    for (const offset of [-301, 301]) {
      const stale = String(Number(SECONDS) + offset);
      expect(
        refusal(() => verifyHmac(grafanaSigned(BODY, KEY, stale), BODY, KEY, GRAFANA)),
      ).toMatch(/^stale timestamp/);
    }
    const edge = String(Number(SECONDS) - 300);
    expect(() => verifyHmac(grafanaSigned(BODY, KEY, edge), BODY, KEY, GRAFANA)).not.toThrow();
  });

  it('refuses a timestamp changed after signing, and a missing one', () => {
    const headers = {
      ...grafanaSigned(BODY),
      'x-grafana-alerting-signature-timestamp': String(Number(SECONDS) + 1),
    };
    expect(refusal(() => verifyHmac(headers, BODY, KEY, GRAFANA))).toBe('invalid signature');
    const { 'x-grafana-alerting-signature-timestamp': _, ...untimed } = grafanaSigned(BODY);
    expect(refusal(() => verifyHmac(untimed, BODY, KEY, GRAFANA))).toMatch(
      /^missing timestamp header/,
    );
  });

  it('signs the raw body alone when no timestamp header is configured', () => {
    const options = { signatureHeader: 'x-kanari-signature', now: NOW };
    const signature = createHmac('sha256', KEY).update(BODY).digest('hex');
    expect(hmacSignature(KEY, BODY)).toBe(signature);
    expect(() => verifyHmac({ 'x-kanari-signature': signature }, BODY, KEY, options)).not.toThrow();
    expect(() =>
      verifyHmac({ 'x-kanari-signature': `sha256=${signature}` }, BODY, KEY, options),
    ).not.toThrow();
    expect(refusal(() => verifyHmac({}, BODY, KEY, options))).toBe(
      'missing signature header x-kanari-signature',
    );
  });
});
