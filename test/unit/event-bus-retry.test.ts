import type { PutEventsRequest, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  createEventBridgeBus,
  EventPublishError,
} from '../../lib/adapters/eventbridge/event-bus.ts';
import { createEventBridgeShardQueue } from '../../lib/adapters/eventbridge/shard-queue.ts';
import type { KanariEvent } from '../../lib/domain/events.ts';
import { planShards } from '../../lib/domain/shards.ts';

// PutEvents can succeed as a call and still refuse some entries (FailedEntryCount > 0).

const event = (decisionId: string): KanariEvent =>
  ({
    detailType: 'Rollback Requested',
    detail: { rolloutId: 'sandbox/default/my-service', revision: 1, stateVersion: 2, decisionId },
  }) as KanariEvent;

/** A client that answers each PutEvents with the next scripted result, and keeps what it got. */
const client = (answers: ((count: number) => PutEventsResultEntry[])[]) => {
  const sent: string[][] = [];
  return {
    sent,
    putEvents: async (input: PutEventsRequest) => {
      const entries = input.Entries ?? [];
      sent.push(entries.map((e) => JSON.parse(e.Detail ?? '{}').decisionId));
      const answer: PutEventsResultEntry[] =
        answers.shift()?.(entries.length) ?? entries.map(() => ({ EventId: 'ok' }));
      return { FailedEntryCount: answer.filter((a) => a.ErrorCode).length, Entries: answer };
    },
  };
};

const fast = { retries: 2, minDelayMs: 1, maxDelayMs: 2 };
const throttled = { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };

describe('publishing on EventBridge', () => {
  it('sends the refused entries again, only those, until all are accepted', async () => {
    const c = client([
      (n) => Array.from({ length: n }, (_, i) => (i === 1 ? throttled : { EventId: `e${i}` })),
    ]);
    const bus = createEventBridgeBus({ client: c, busName: 'kanari', retry: fast });
    await bus.publish([event('a'), event('b'), event('c')]);
    expect(c.sent).toEqual([['a', 'b', 'c'], ['b']]);
  });

  it('throws, naming the error, when entries are still refused after its retries', async () => {
    const refuse = (n: number) => Array.from({ length: n }, () => throttled);
    const c = client([refuse, refuse, refuse, refuse]);
    const bus = createEventBridgeBus({ client: c, busName: 'kanari', retry: fast });
    const error = await bus.publish([event('a')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as Error).message).toBe(
      'EventBridge refused 1 event(s): ThrottlingException: Rate exceeded',
    );
    expect(c.sent).toHaveLength(3);
  });
});

describe('handing out shards on EventBridge', () => {
  it('sends each shard in its own request, as Analysis Shard Requested, and retries a refused one alone', async () => {
    const requests: { detailType?: string; ids: string[] }[][] = [];
    let refusedOnce = false;
    const c = {
      putEvents: async (input: PutEventsRequest) => {
        const entries = input.Entries ?? [];
        requests.push(
          entries.map((e) => ({ detailType: e.DetailType, ids: JSON.parse(e.Detail ?? '{}').ids })),
        );
        const refuse = !refusedOnce && JSON.parse(entries[0]?.Detail ?? '{}').shard === 2;
        if (refuse) refusedOnce = true;
        return {
          FailedEntryCount: refuse ? 1 : 0,
          Entries: entries.map(() => (refuse ? throttled : { EventId: 'ok' })),
        };
      },
    };
    const queue = createEventBridgeShardQueue({
      client: c,
      busName: 'kanari',
      retry: fast,
    });
    const shards = planShards(['a', 'b', 'c', 'd', 'e'], new Date(0), { batchSize: 2 });
    await queue.request(shards);
    expect(requests.every((entries) => entries.length === 1)).toBe(true);
    expect(requests.flat().every((e) => e.detailType === 'Analysis Shard Requested')).toBe(true);
    // Three shards, and the refused second one once more.
    expect(requests.map((entries) => entries[0]?.ids).sort()).toEqual(
      [['a', 'b'], ['c', 'd'], ['c', 'd'], ['e']].sort(),
    );
  });
});
