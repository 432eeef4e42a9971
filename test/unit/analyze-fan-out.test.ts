import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { analyzeShard, scheduledTick } from '../../lib/app/analyze-tick.ts';
import type { AnalysisShard } from '../../lib/domain/shards.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { fanOutFleet } from '../support/fleet.ts';

// Fan-out: past the batch size the scheduled tick hands shards of due rollouts to other
// invocations; each shard judges its rollouts once, and a shard that fails fails alone.

describe('fan-out of a scheduled tick', () => {
  it('judges up to the batch size in the tick itself', async () => {
    const f = await fanOutFleet(10, 10);
    const tick = await scheduledTick(f.deps);
    expect(tick).toMatchObject({ outcome: 'analyzed', due: 10 });
    expect(f.requested).toEqual([]);
    for (const id of f.ids) expect(await f.checks(id)).toBe(1);
  });

  it('past the batch size, hands out shards that judge every due rollout exactly once', async () => {
    const f = await fanOutFleet(25, 10);
    const tick = await scheduledTick(f.deps);
    expect(tick).toEqual({ outcome: 'fanned-out', due: 25, shards: 3 });
    expect(f.requested.map((s) => s.ids.length)).toEqual([10, 10, 5]);
    expect(f.requested.flatMap((s) => s.ids).sort()).toEqual([...f.ids].sort());
    // Handing out shards judges nothing.
    for (const id of f.ids) expect(await f.checks(id)).toBe(0);

    const queriesPerShard: number[] = [];
    for (const shard of f.requested) {
      const before = f.metrics.queries.length;
      const results = await analyzeShard(f.deps, shard);
      queriesPerShard.push(f.metrics.queries.length - before);
      expect(results.map((r) => r.id).sort()).toEqual([...shard.ids].sort());
      expect(results.every((r) => r.outcome === 'decided' || r.outcome === 'held')).toBe(true);
    }
    for (const id of f.ids) expect(await f.checks(id)).toBe(1);
    // One query per template for each shard, whatever its size (10, 10 and 5 rollouts).
    expect(new Set(queriesPerShard).size).toBe(1);
  });

  it('a shard delivered again after it ran judges nothing twice', async () => {
    const f = await fanOutFleet(12, 5);
    await scheduledTick(f.deps);
    const first = f.requested[0] as AnalysisShard;
    await analyzeShard(f.deps, first);
    f.advance(5_000);
    // Its rollouts now wait for their decisions to be applied (or are no longer due).
    const again = await analyzeShard(f.deps, first);
    expect(again.filter((r) => r.outcome === 'decided' || r.outcome === 'held')).toEqual([]);
    for (const id of first.ids) expect(await f.checks(id)).toBe(1);
  });

  it('a shard whose rollouts cannot be read fails alone, and is judged when retried', async () => {
    const inner = createInMemoryRolloutStore();
    let failNext = false;
    const store: RolloutStore = {
      ...inner,
      getMany: async (ids) => {
        if (failNext) {
          failNext = false;
          throw new Error('ProvisionedThroughputExceededException');
        }
        return inner.getMany(ids);
      },
    };
    const f = await fanOutFleet(9, 3, store);
    await scheduledTick(f.deps);
    expect(f.requested).toHaveLength(3);
    const [a, b, c] = f.requested as [AnalysisShard, AnalysisShard, AnalysisShard];
    failNext = true;
    await expect(analyzeShard(f.deps, b)).rejects.toThrow(/Throughput/);
    await analyzeShard(f.deps, a);
    await analyzeShard(f.deps, c);
    for (const id of b.ids) expect(await f.checks(id)).toBe(0);
    for (const id of [...a.ids, ...c.ids]) expect(await f.checks(id)).toBe(1);
    // The retry (Lambda's, of that event alone) judges the shard's rollouts.
    await analyzeShard(f.deps, b);
    for (const id of b.ids) expect(await f.checks(id)).toBe(1);
  });

  it('analyzeDue still judges every due rollout in one invocation, past 50', async () => {
    const f = await fanOutFleet(60, 1000);
    const deps: AnalyzeDeps = f.deps;
    const results = await analyzeDue(deps);
    expect(results).toHaveLength(60);
  });
});
