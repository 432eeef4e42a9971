import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The notify function as Lambda runs it, configured through its environment, posting to a
// local receiver that answers each path as the test scripts: a few failures, then success.

interface Received {
  path: string;
  body: Record<string, unknown>;
}
let received: Received[] = [];
/** Per path: the statuses to answer with, in order; 200 once they run out. */
let script: Record<string, number[]> = {};
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = String(req.url);
    received.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(script[path]?.shift() ?? 200).end();
  });
});
let base = '';
let handler: (event: unknown, context: unknown) => Promise<unknown>;

const rolledBack = {
  version: '0',
  id: 'e-1',
  source: 'kanari',
  'detail-type': 'Rollout Rolled Back',
  time: '2030-01-01T12:00:00Z',
  detail: {
    rolloutId: 'prod/shop/cart',
    revision: 2,
    stateVersion: 9,
    decisionId: 'd-1',
    cause: { type: 'alert', source: 'alertmanager', id: 'f1', name: 'HighErrorRate', labels: {} },
    phase: 'RolledBack',
    weights: { primary: 100, canary: 0 },
  },
};

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // The secrets are the URLs; locally they come from environment variables.
  process.env.TEST_SLACK_URL = `${base}/slack/T000/B000/secret-part`;
  process.env.TEST_WEBHOOK_URL = `${base}/hooks/kanari`;
  process.env.KANARI_NOTIFY_TARGETS = JSON.stringify({
    oncall: { type: 'slack', secretEnv: 'TEST_SLACK_URL' },
    audit: { type: 'webhook', secretEnv: 'TEST_WEBHOOK_URL' },
  });
  process.env.KANARI_CONSOLE_URL = 'https://kanari.example.com';
  ({ handler } = (await import('../../functions/notify.ts')) as unknown as {
    handler: typeof handler;
  });
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

describe('the notify function', () => {
  it('tells Slack and the webhook of a rollback, retrying a receiver that fails its first tries', async () => {
    received = [];
    script = { '/slack/T000/B000/secret-part': [500, 503] };
    const result = await handler(rolledBack, {});
    expect(result).toEqual({
      outcome: 'delivered',
      event: 'Rollout Rolled Back',
      targets: ['oncall', 'audit'],
    });
    const slack = received.filter((r) => r.path.startsWith('/slack/'));
    expect(slack).toHaveLength(3);
    expect(slack[2]?.body.text).toBe(
      ':rotating_light: prod/shop/cart rolled back: alert HighErrorRate from alertmanager',
    );
    expect(JSON.stringify(slack[2]?.body.blocks)).toContain(
      'https://kanari.example.com/#/rollouts/prod/shop/cart',
    );
    expect(received.filter((r) => r.path === '/hooks/kanari').map((r) => r.body)).toEqual([
      {
        version: '1',
        rolloutId: 'prod/shop/cart',
        event: 'Rollout Rolled Back',
        headline: 'prod/shop/cart rolled back',
        why: 'alert HighErrorRate from alertmanager',
        phase: 'RolledBack',
        link: 'https://kanari.example.com/#/rollouts/prod/shop/cart',
        severity: 'critical',
      },
    ]);
  });

  it('fails, naming the target and never its URL, when a receiver refuses; the other still has it', async () => {
    received = [];
    // A 404 is not worth another try: the URL is wrong.
    script = { '/hooks/kanari': [404] };
    const error = (await handler(rolledBack, {}).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('NotifyFailedError');
    expect(error.message).toBe('prod/shop/cart rolled back: not delivered to audit: HTTP 404');
    expect(error.message).not.toContain(base);
    expect(received.map((r) => r.path).sort()).toEqual([
      '/hooks/kanari',
      '/slack/T000/B000/secret-part',
    ]);
  });

  it('stays quiet about requests on their way, and drops what is not an event', async () => {
    received = [];
    expect(await handler({ ...rolledBack, 'detail-type': 'Rollback Requested' }, {})).toEqual({
      outcome: 'ignored',
      event: 'Rollback Requested',
    });
    expect(await handler({ hello: 'world' }, {})).toEqual({
      outcome: 'ignored',
      reason: 'malformed event',
    });
    expect(received).toEqual([]);
  });
});
