import { describe, expect, it } from 'vitest';
import { redrive } from '../../lib/app/redrive.ts';
import { readDeadLetter } from '../../lib/domain/dead-letter.ts';
import type { DeadLetterQueue, QueuedMessage } from '../../lib/ports/dead-letter-queue.ts';

const decision = {
  version: '0',
  id: 'e-1',
  source: 'kanari',
  'detail-type': 'Rollback Requested',
  detail: { rolloutId: 'prod/shop/cart', decisionId: 'd-1' },
};
const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
/** Lambda's on-failure record, as its documentation shows it. */
const failure = (event: object) => ({
  version: '1.0',
  timestamp: '2026-12-01T10:00:00.000Z',
  requestContext: {
    requestId: 'r-1',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:kanari-prod-shift-traffic:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: event,
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorType: 'TrafficUnavailableError', errorMessage: 'cluster prod: timeout' },
});

describe('reading a dead letter', () => {
  it("takes the event from EventBridge's message, with the reason from its attributes", () => {
    expect(
      readDeadLetter(JSON.stringify(decision), {
        ERROR_CODE: 'SDK_CLIENT_ERROR',
        ERROR_MESSAGE: 'Rate exceeded',
      }),
    ).toEqual({
      outcome: 'redrive',
      event: decision,
      how: 'undelivered',
      why: 'SDK_CLIENT_ERROR: Rate exceeded',
    });
  });

  it("takes the event from Lambda's failure record, with the condition and the error", () => {
    expect(readDeadLetter(JSON.stringify(failure(decision)))).toEqual({
      outcome: 'redrive',
      event: decision,
      how: 'failed',
      why: 'RetriesExhausted: TrafficUnavailableError: cluster prod: timeout',
    });
  });

  it('drops a scheduled tick, in either shape, and keeps what is not an event', () => {
    expect(readDeadLetter(JSON.stringify(tick)).outcome).toBe('drop');
    expect(readDeadLetter(JSON.stringify(failure(tick))).outcome).toBe('drop');
    for (const body of ['not json', '[]', '{"hello":1}', JSON.stringify(failure({ a: 1 }))])
      expect(readDeadLetter(body).outcome, body).toBe('keep');
  });
});

/** A queue as SQS behaves: received messages are invisible until deleted or received again. */
const fakeQueue = (bodies: string[]) => {
  const messages = new Map<string, QueuedMessage>(
    bodies.map((body, i) => [`m${i}`, { id: `m${i}`, receipt: `r${i}`, body, attributes: {} }]),
  );
  let receives = 0;
  const queue: DeadLetterQueue = {
    // Every message is visible again on each receive (the worst case: a zero visibility timeout).
    async receive(max) {
      receives += 1;
      return [...messages.values()].slice(0, max);
    },
    async delete(receipt) {
      for (const [id, message] of messages) if (message.receipt === receipt) messages.delete(id);
    },
  };
  return { queue, left: () => [...messages.keys()], receives: () => receives };
};

describe('redrive', () => {
  it('invokes the function with each event, deletes what was sent, drops ticks and keeps the rest', async () => {
    const { queue, left } = fakeQueue([
      JSON.stringify(decision),
      JSON.stringify(failure({ ...decision, id: 'e-2' })),
      JSON.stringify(tick),
      'garbage',
    ]);
    const invoked: object[] = [];
    const lines = await redrive({ queue, invoke: async (e) => void invoked.push(e), limit: 100 });
    expect(invoked).toEqual([decision, { ...decision, id: 'e-2' }]);
    expect(lines.map((l) => [l.id, l.outcome])).toEqual([
      ['m0', 'redriven'],
      ['m1', 'redriven'],
      ['m2', 'dropped'],
      ['m3', 'kept'],
    ]);
    expect(left()).toEqual(['m3']);
  });

  it('keeps a message whose invocation fails, and goes on with the others', async () => {
    const { queue, left } = fakeQueue([
      JSON.stringify(decision),
      JSON.stringify({ ...decision, id: 'e-2' }),
    ]);
    const lines = await redrive({
      queue,
      invoke: async (e) => {
        if ((e as { id: string }).id === 'e-1') throw new Error('throttled');
      },
      limit: 100,
    });
    expect(lines.map((l) => [l.outcome, l.why])).toEqual([
      ['kept', 'the invocation failed: throttled'],
      ['redriven', 'not delivered: not delivered'],
    ]);
    expect(left()).toEqual(['m0']);
  });

  it('changes nothing in a dry run, and stops once it sees only messages it has seen', async () => {
    const { queue, left, receives } = fakeQueue(
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ ...decision, id: `e-${i}` })),
    );
    let invoked = 0;
    const lines = await redrive({
      queue,
      invoke: async () => {
        invoked += 1;
      },
      limit: 1000,
      dryRun: true,
    });
    // Every receive answers the first 10 again: the first repeat ends the run.
    expect(lines.map((l) => l.outcome)).toEqual(Array(10).fill('would-redrive'));
    expect(receives()).toBe(2);
    expect(invoked).toBe(0);
    expect(left()).toHaveLength(25);
  });

  it('looks at no more than the limit', async () => {
    const { queue, left } = fakeQueue(
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ ...decision, id: `e-${i}` })),
    );
    const lines = await redrive({ queue, invoke: async () => {}, limit: 12 });
    expect(lines).toHaveLength(12);
    expect(left()).toHaveLength(13);
  });
});
