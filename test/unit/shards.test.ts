import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planShards } from '../../lib/domain/shards.ts';

const TICK = new Date('2026-12-03T12:00:00.000Z');
const bytes = (ids: string[]) => ids.reduce((sum, id) => sum + JSON.stringify(id).length + 1, 0);

describe('planShards', () => {
  it('keeps every id once, in order, in shards no larger than the batch size or byte limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' }), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 50, max: 2000 }),
        (ids, batchSize, maxBytes) => {
          const shards = planShards(ids, TICK, { batchSize, maxBytes });
          expect(shards.flatMap((s) => s.ids)).toEqual(ids);
          for (const [i, shard] of shards.entries()) {
            expect(shard).toMatchObject({
              shard: i + 1,
              of: shards.length,
              tickAt: TICK.toISOString(),
            });
            expect(shard.ids.length).toBeGreaterThan(0);
            expect(shard.ids.length).toBeLessThanOrEqual(batchSize);
            expect(bytes(shard.ids)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });

  it('cuts 2,500 ids into shards of 1,000, 1,000 and 500', () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `prod/default/svc-${i}`);
    expect(planShards(ids, TICK, { batchSize: 1000 }).map((s) => s.ids.length)).toEqual([
      1000, 1000, 500,
    ]);
  });

  it('plans nothing for no ids, and refuses a batch size that is not a positive integer', () => {
    expect(planShards([], TICK, { batchSize: 10 })).toEqual([]);
    expect(() => planShards(['a'], TICK, { batchSize: 0 })).toThrow(/batch size/);
    expect(() => planShards(['a'], TICK, { batchSize: 1.5 })).toThrow(/batch size/);
  });
});
