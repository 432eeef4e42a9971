import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/shared/http.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { seedSpec } from '../support/fixtures.ts';
import { type FunctionEnv, prepareFunctionEnv } from '../support/function-env.ts';
import { startInFlight } from '../support/in-flight-rollout.ts';

const AM_TOKEN = 'am-token-for-tests';
const GRAFANA_KEY = 'grafana-key-for-tests';
const CUSTOM_KEY = 'custom-key-for-tests';
const SSM_TOKEN = 'token-kept-in-ssm';
const SOURCES = {
  alertmanager: { type: 'alertmanager', auth: 'bearer', secretEnv: 'KANARI_TEST_AM_TOKEN' },
  grafana: {
    type: 'grafana',
    auth: 'hmac',
    secretEnv: 'KANARI_TEST_GRAFANA_KEY',
    timestampHeader: 'X-Grafana-Alerting-Signature-Timestamp',
  },
  // As in AWS: the token is a SecureString, read from SSM (GetParameters) at the first request.
  'alertmanager-ssm': { type: 'alertmanager', auth: 'bearer', ssmParameter: '/kanari/am-token' },
  custom: {
    type: 'generic',
    auth: 'hmac',
    secretEnv: 'KANARI_TEST_CUSTOM_KEY',
    mapping: { id: 'id', name: 'title', status: 'state', labels: 'tags' },
  },
};

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8'));
const alertmanager = fixture('alertmanager-v4.json');

const MY_SERVICE: RolloutSpec = {
  ...seedSpec(),
  alerts: {
    bakeWindow: '0s',
    matchers: [
      { labels: { alertname: 'CanaryHighErrorRate', service: 'my-service' }, action: 'rollback' },
    ],
  },
};
const PAYMENTS: RolloutSpec = {
  ...seedSpec(),
  name: 'payments',
  // One VirtualService, one active rollout: each has its own.
  target: { ...seedSpec().target, virtualService: 'payments' },
  alerts: { bakeWindow: '0s', matchers: [{ labels: { service: 'payments' }, action: 'rollback' }] },
};
const CHECKOUT: RolloutSpec = {
  ...seedSpec(),
  name: 'checkout',
  // One VirtualService, one active rollout: each has its own.
  target: { ...seedSpec().target, virtualService: 'checkout' },
  alerts: { bakeWindow: '0s', matchers: [{ labels: { service: 'checkout' }, action: 'rollback' }] },
};

let env: FunctionEnv;
let handler: (event: HttpEvent, context: Context) => Promise<HttpResult>;

const context = {
  functionName: 'kanari-test-alerts',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 29_000,
} as unknown as Context;

const post = async (
  source: string,
  body: string,
  headers: Record<string, string> = {},
  isBase64Encoded = false,
) => {
  const result = await handler(
    {
      version: '2.0',
      routeKey: 'POST /alerts/{source}',
      rawPath: `/alerts/${source}`,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      isBase64Encoded,
      pathParameters: { source },
      requestContext: { http: { method: 'POST', path: `/alerts/${source}` } },
    } as unknown as HttpEvent,
    context,
  );
  return {
    status: result.statusCode,
    body: JSON.parse(result.body ?? '{}') as Record<string, unknown>,
  };
};

const bearer = { authorization: `Bearer ${AM_TOKEN}` };
const grafanaHeaders = (
  body: string,
  key = GRAFANA_KEY,
  seconds = Math.floor(Date.now() / 1000),
) => ({
  'X-Grafana-Alerting-Signature': createHmac('sha256', key)
    .update(`${seconds}:${body}`)
    .digest('hex'),
  'X-Grafana-Alerting-Signature-Timestamp': String(seconds),
});

beforeAll(async () => {
  env = await prepareFunctionEnv(
    inject('dynamoEndpoint'),
    {
      KANARI_ALERT_SOURCES: JSON.stringify(SOURCES),
      KANARI_TEST_AM_TOKEN: AM_TOKEN,
      KANARI_TEST_GRAFANA_KEY: GRAFANA_KEY,
      KANARI_TEST_CUSTOM_KEY: CUSTOM_KEY,
    },
    { '/kanari/am-token': SSM_TOKEN },
  );
  ({ handler } = (await import('../../functions/alerts.ts')) as unknown as {
    handler: typeof handler;
  });
  await startInFlight(env.store, MY_SERVICE);
  await startInFlight(env.store, CHECKOUT);
  await startInFlight(env.store, PAYMENTS);
});

afterAll(async () => {
  await env?.restore();
});

describe('alerts webhook (functions/alerts.ts against DynamoDB Local)', () => {
  describe('refuses bad input with a JSON 4xx and changes nothing', () => {
    const valid = JSON.stringify(alertmanager);
    const grafanaBody = JSON.stringify(fixture('grafana-alerting.json'));
    const cases: [string, () => ReturnType<typeof post>, number, RegExp][] = [
      [
        'an unknown source',
        () => post('nagios', valid, bearer),
        404,
        /^unknown alert source "nagios"$/,
      ],
      // Names every object has as a property: no source, whatever the lookup.
      ...['constructor', '__proto__', 'toString', 'valueOf'].map((name): (typeof cases)[number] => [
        `a source named ${name}`,
        () => post(name, valid, bearer),
        404,
        new RegExp(`^unknown alert source "${name}"$`),
      ]),
      [
        'a body over 1 MiB',
        () =>
          post(
            'alertmanager',
            JSON.stringify({ ...alertmanager, padding: 'x'.repeat(1024 * 1024) }),
            bearer,
          ),
        413,
        /larger than 1048576 bytes/,
      ],
      [
        'a base64 body over 1 MiB',
        () =>
          post('alertmanager', Buffer.alloc(1024 * 1024 + 1, 'x').toString('base64'), bearer, true),
        413,
        /larger than 1048576 bytes/,
      ],
      ['a missing token', () => post('alertmanager', valid), 401, /^missing credentials/],
      [
        'a wrong token',
        () => post('alertmanager', valid, { authorization: 'Bearer not-the-token' }),
        401,
        /^invalid token$/,
      ],
      [
        'invalid JSON',
        () => post('alertmanager', '{"version": "4",', bearer),
        400,
        /^request body is not valid JSON/,
      ],
      [
        'a payload without fingerprints',
        () =>
          post(
            'alertmanager',
            JSON.stringify({
              ...alertmanager,
              alerts: (alertmanager.alerts as object[]).map((a) => ({
                ...a,
                fingerprint: undefined,
              })),
            }),
            bearer,
          ),
        400,
        /^invalid alertmanager payload: alerts\[0\]\.fingerprint: /,
      ],
      [
        'a Grafana payload with a tampered body',
        () =>
          post(
            'grafana',
            grafanaBody.replace('"firing"', '"resolved"'),
            grafanaHeaders(grafanaBody),
          ),
        401,
        /^invalid signature$/,
      ],
      [
        'a Grafana payload signed with the wrong key',
        () => post('grafana', grafanaBody, grafanaHeaders(grafanaBody, 'wrong-key')),
        401,
        /^invalid signature$/,
      ],
      [
        'a Grafana payload with a stale timestamp',
        () =>
          post(
            'grafana',
            grafanaBody,
            grafanaHeaders(grafanaBody, GRAFANA_KEY, Math.floor(Date.now() / 1000) - 600),
          ),
        401,
        /^stale timestamp/,
      ],
      [
        'a Grafana payload without a signature',
        () => post('grafana', grafanaBody),
        401,
        /^missing signature header/,
      ],
    ];

    for (const [what, send, status, message] of cases) {
      it(`${what}: ${status}`, async () => {
        const before = await env.snapshot();
        const published = env.events.length;
        const response = await send();
        expect(response.status).toBe(status);
        expect(response.body.error).toMatch(message);
        expect(JSON.stringify(response.body)).not.toContain(AM_TOKEN);
        expect(await env.snapshot()).toEqual(before);
        expect(env.events.length).toBe(published);
      });
    }
  });

  it('does nothing for a resolved alert or an unmatched one', async () => {
    const before = await env.snapshot();
    const resolved = {
      ...alertmanager,
      status: 'resolved',
      alerts: (alertmanager.alerts as object[]).map((a) => ({ ...a, status: 'resolved' })),
    };
    expect(await post('alertmanager', JSON.stringify(resolved), bearer)).toMatchObject({
      status: 200,
      body: { outcomes: [{ outcome: 'resolved' }] },
    });
    const custom = JSON.stringify({
      id: 'c-1',
      title: 'DiskFull',
      state: 'firing',
      tags: { service: 'billing' },
    });
    const signature = createHmac('sha256', CUSTOM_KEY).update(custom).digest('hex');
    expect(await post('custom', custom, { 'x-kanari-signature': signature })).toMatchObject({
      status: 200,
      body: { outcomes: [{ outcome: 'unmatched', alert: { source: 'custom', id: 'c-1' } }] },
    });
    expect(await env.snapshot()).toEqual(before);
  });

  it('rolls back on a valid Alertmanager payload, and once only when it is delivered again', async () => {
    const body = JSON.stringify(alertmanager);
    // serverless-offline and API Gateway may hand the body over base64-encoded.
    const first = await post('alertmanager', Buffer.from(body).toString('base64'), bearer, true);
    expect(first).toMatchObject({
      status: 200,
      body: {
        outcomes: [
          {
            outcome: 'matched',
            rollouts: [{ rolloutId: 'sandbox/default/my-service', outcome: 'rollback-requested' }],
          },
        ],
      },
    });
    const again = await post('alertmanager', body, bearer);
    expect(again.body).toMatchObject({ outcomes: [{ rollouts: [{ outcome: 'duplicate' }] }] });

    const state = await env.store.get('sandbox/default/my-service');
    expect(state?.phase).toBe('RollingBack');
    expect(state?.pending?.cause).toEqual({
      type: 'alert',
      source: 'alertmanager',
      id: '5f1e6c3d9a7b2c40',
      name: 'CanaryHighErrorRate',
      labels: {
        alertname: 'CanaryHighErrorRate',
        namespace: 'default',
        service: 'my-service',
        severity: 'critical',
      },
    });
    const { entries } = await env.store.ledger('sandbox/default/my-service');
    expect(entries.filter((e) => e.decision?.action === 'rollback')).toHaveLength(1);
    const rollbacks = env.events.filter((e) => e.DetailType === 'Rollback Requested');
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ Source: 'kanari', EventBusName: 'kanari-test' });
    expect(JSON.parse(rollbacks[0]?.Detail ?? '{}')).toMatchObject({
      rolloutId: 'sandbox/default/my-service',
      targetWeight: 0,
      cause: { type: 'alert', id: '5f1e6c3d9a7b2c40' },
    });
    expect((await env.store.get('sandbox/default/checkout'))?.phase).toBe('Progressing');
  });

  it('rolls back on an alert with a 450 KB label: the cause is stored bounded', async () => {
    const huge = structuredClone(alertmanager) as {
      alerts: { labels: Record<string, string>; fingerprint: string }[];
    };
    const [first] = huge.alerts;
    if (!first) throw new Error('fixture has no alert');
    first.labels = { ...first.labels, service: 'payments', stack: 'x'.repeat(450 * 1024) };
    first.fingerprint = 'huge-label-1';
    const answer = await post('alertmanager', JSON.stringify(huge), bearer);
    expect(answer).toMatchObject({
      status: 200,
      body: {
        outcomes: [
          { rollouts: [{ rolloutId: 'sandbox/default/payments', outcome: 'rollback-requested' }] },
        ],
      },
    });
    const state = await env.store.get('sandbox/default/payments');
    expect(state?.phase).toBe('RollingBack');
    const cause = state?.pending?.cause;
    expect(cause?.type === 'alert' && cause.labels.stack?.length).toBe(256);
    expect(
      env.events.filter(
        (e) => e.DetailType === 'Rollback Requested' && e.Detail?.includes('payments'),
      ),
    ).toHaveLength(1);
  });

  it('checks tokens held in SSM Parameter Store, read with GetParameters', async () => {
    const resolved = {
      ...alertmanager,
      status: 'resolved',
      alerts: (alertmanager.alerts as object[]).map((a) => ({ ...a, status: 'resolved' })),
    };
    const body = JSON.stringify(resolved);
    expect(
      await post('alertmanager-ssm', body, { authorization: `Bearer ${SSM_TOKEN}` }),
    ).toMatchObject({
      status: 200,
      body: { outcomes: [{ outcome: 'resolved' }] },
    });
    expect(await post('alertmanager-ssm', body, bearer)).toMatchObject({
      status: 401,
      body: { error: 'invalid token' },
    });
  });

  it('accepts a Grafana-signed payload and rolls back what it matches', async () => {
    const payload = fixture('grafana-alerting.json');
    const alerts = (payload.alerts as { labels: Record<string, string> }[]).map((a) => ({
      ...a,
      labels: { ...a.labels, service: 'checkout' },
    }));
    const body = JSON.stringify({ ...payload, alerts });
    const headers = grafanaHeaders(body);
    const response = await post('grafana', body, headers);
    expect(response).toMatchObject({
      status: 200,
      body: {
        outcomes: [
          {
            alert: { source: 'grafana', id: '57c6d9296de2ad39', name: 'CanaryHighErrorRate' },
            rollouts: [{ rolloutId: 'sandbox/default/checkout', outcome: 'rollback-requested' }],
          },
        ],
      },
    });
    expect((await env.store.get('sandbox/default/checkout'))?.phase).toBe('RollingBack');
    // The same signed request replayed inside Grafana's ±5 minute window: its signature is
    // valid, so it is refused by what it is, the same alert again: a duplicate, no second rollback.
    const replayed = await post('grafana', body, headers);
    expect(replayed).toMatchObject({
      status: 200,
      body: {
        outcomes: [{ rollouts: [{ rolloutId: 'sandbox/default/checkout', outcome: 'duplicate' }] }],
      },
    });
    const { entries } = await env.store.ledger('sandbox/default/checkout');
    expect(entries.filter((e) => e.decision?.action === 'rollback')).toHaveLength(1);
  });
});
