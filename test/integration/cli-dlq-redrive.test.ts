import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { scopeOf, signedRight, TEST_CREDENTIALS } from '../support/sigv4-check.ts';

// `kanari dlq redrive` against a local stand-in for SQS (its JSON protocol) and Lambda's
// Invoke, which refuses any request whose SigV4 signature is not the specification's.

const QUEUE = 'kanari-ci-shift-traffic-dlq';
const decision = (id: string) => ({
  version: '0',
  id,
  source: 'kanari',
  'detail-type': 'Rollback Requested',
  detail: { rolloutId: 'prod/shop/cart', decisionId: `d-${id}` },
});

interface Message {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue: string }>;
  received?: boolean;
}
let queue: Message[] = [];
let invoked: { path: string; type: string; scope: string; event: unknown }[] = [];
let scopes: string[] = [];
/** Invocations of these event ids are refused. */
let refused = new Set<string>();
let url = '';

const answer = (
  res: import('node:http').ServerResponse,
  status: number,
  body: unknown,
  type = 'application/x-amz-json-1.0',
) => {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
};

const sqs = (req: IncomingMessage, input: Record<string, unknown>) => {
  const target = String(req.headers['x-amz-target']);
  if (target === 'AmazonSQS.GetQueueUrl')
    return input.QueueName === QUEUE
      ? { status: 200, body: { QueueUrl: `${url}/123456789012/${QUEUE}` } }
      : {
          status: 400,
          body: {
            __type: 'com.amazonaws.sqs#QueueDoesNotExist',
            message: 'The specified queue does not exist.',
          },
        };
  if (target === 'AmazonSQS.ReceiveMessage') {
    const visible = queue.filter((m) => !m.received).slice(0, Number(input.MaxNumberOfMessages));
    for (const m of visible) m.received = true;
    return {
      status: 200,
      body: { Messages: visible.map(({ received: _r, ...message }) => message) },
    };
  }
  if (target === 'AmazonSQS.DeleteMessage') {
    queue = queue.filter((m) => m.ReceiptHandle !== input.ReceiptHandle);
    return { status: 200, body: {} };
  }
  return { status: 400, body: { __type: 'InvalidAction', message: target } };
};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!signedRight(req, body))
      return answer(res, 403, {
        __type: 'InvalidSignatureException',
        message: 'The request signature we calculated does not match the signature you provided.',
      });
    scopes.push(scopeOf(req));
    if (req.url?.startsWith('/2015-03-31/functions/')) {
      const event = JSON.parse(body) as { id: string };
      if (refused.has(event.id))
        return answer(res, 400, { Type: 'User', message: 'Invalid request' }, 'application/json');
      invoked.push({
        path: String(req.url),
        type: String(req.headers['x-amz-invocation-type']),
        scope: scopeOf(req),
        event,
      });
      res.writeHead(202).end();
      return;
    }
    const { status, body: out } = sqs(req, JSON.parse(body));
    answer(res, status, out);
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  invoked = [];
  scopes = [];
  refused = new Set();
  queue = [
    {
      MessageId: 'm1',
      ReceiptHandle: 'r1',
      Body: JSON.stringify(decision('e-1')),
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
        ERROR_MESSAGE: { DataType: 'String', StringValue: 'Rate exceeded' },
      },
    },
    {
      MessageId: 'm2',
      ReceiptHandle: 'r2',
      Body: JSON.stringify({
        version: '1.0',
        requestContext: {
          requestId: 'x',
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
        },
        requestPayload: decision('e-2'),
        responsePayload: { errorType: 'Error', errorMessage: 'cluster prod: timeout' },
      }),
    },
    {
      MessageId: 'm3',
      ReceiptHandle: 'r3',
      Body: JSON.stringify({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
    },
  ];
});

const env = (secret = TEST_CREDENTIALS.secretAccessKey) => ({
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: secret,
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_ENDPOINT_URL_SQS: url,
  AWS_ENDPOINT_URL_LAMBDA: url,
});
const redrive = (args: string[], secret?: string) =>
  runCli(['dlq', 'redrive', ...args], env(secret), 60_000);

describe('kanari dlq redrive', () => {
  it('invokes the function asynchronously with each event, signed, and empties the queue', async () => {
    const result = await redrive(['shift-traffic', '--stage', 'ci', '--region', 'eu-west-1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(invoked).toEqual([
      {
        path: '/2015-03-31/functions/kanari-ci-shift-traffic/invocations',
        type: 'Event',
        scope: 'eu-west-1/lambda/aws4_request',
        event: decision('e-1'),
      },
      {
        path: '/2015-03-31/functions/kanari-ci-shift-traffic/invocations',
        type: 'Event',
        scope: 'eu-west-1/lambda/aws4_request',
        event: decision('e-2'),
      },
    ]);
    expect(scopes).toContain('eu-west-1/sqs/aws4_request');
    expect(queue).toEqual([]);
    expect(result.stdout.split('\n')).toEqual([
      'redriven\tm1\tRollback Requested\tnot delivered: SDK_CLIENT_ERROR: Rate exceeded',
      'redriven\tm2\tRollback Requested\tfailed: RetriesExhausted: Error: cluster prod: timeout',
      'dropped\tm3\tScheduled Event\ta scheduled tick: the next tick does its work',
      `sent 2 of 3 to kanari-ci-shift-traffic; dropped 1, kept 0 in ${QUEUE}`,
      '',
    ]);
  });

  it('keeps an event whose invocation is refused, and exits 1 saying so', async () => {
    refused.add('e-2');
    const result = await redrive(['shift-traffic', '--stage', 'ci', '--region', 'eu-west-1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'kept\tm2\tRollback Requested\tthe invocation failed: Invoke kanari-ci-shift-traffic answered HTTP 400: Invalid request',
    );
    expect(result.stderr).toBe(
      `kanari: dlq: some events could not be sent; they stay in ${QUEUE}\n`,
    );
    expect(queue.map((m) => m.MessageId)).toEqual(['m2']);
  });

  it('lists what it would send in a dry run and changes nothing', async () => {
    const result = await redrive([
      'shift-traffic',
      '--stage',
      'ci',
      '--region',
      'eu-west-1',
      '--dry-run',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `would send 2 of 3 to kanari-ci-shift-traffic; dropped 1, kept 0 in ${QUEUE}`,
    );
    expect(invoked).toEqual([]);
    expect(queue).toHaveLength(3);
  });

  it('answers a wrong stage, wrong credentials and a wrong function with one line and its exit code', async () => {
    const missing = await redrive(['shift-traffic', '--stage', 'nope', '--region', 'eu-west-1']);
    expect([missing.code, missing.stderr]).toEqual([
      3,
      'kanari: dlq: no queue kanari-nope-shift-traffic-dlq in eu-west-1: is the stage deployed?\n',
    ]);
    const wrong = await redrive(
      ['shift-traffic', '--stage', 'ci', '--region', 'eu-west-1'],
      'not-the-secret',
    );
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/^kanari: dlq: AWS refused the credentials: .+\n$/);
    expect(queue).toHaveLength(3);
    const unknown = await redrive(['console', '--stage', 'ci', '--region', 'eu-west-1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')).toHaveLength(2);
    expect(unknown.stderr).toContain('analyze, shift-traffic, cloudwatch-alarm');
    const limit = await redrive([
      'shift-traffic',
      '--stage',
      'ci',
      '--region',
      'eu-west-1',
      '--limit',
      '0',
    ]);
    expect([limit.code, limit.stderr]).toEqual([
      2,
      'kanari: --limit: expected a whole number ≥ 1, got 0\n',
    ]);
    for (const r of [missing, wrong, unknown, limit]) {
      expect(r.stdout + r.stderr).not.toContain(TEST_CREDENTIALS.secretAccessKey);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
