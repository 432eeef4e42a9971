import { type AnalysisShard, planShards } from '../domain/shards.ts';

export { DEFAULT_ANALYZE_BATCH_SIZE } from '../domain/shards.ts';

import { isDue } from '../domain/state.ts';
import type { ShardQueue } from '../ports/shard-queue.ts';
import { type AnalyzeDeps, type AnalyzeOutcome, analyzeStates } from './analyze-due.ts';

export interface TickDeps extends AnalyzeDeps {
  shards: ShardQueue;
  /** Past this many due rollouts, the tick fans out into shards of at most this many. */
  batchSize: number;
}

export type TickResult =
  | { outcome: 'analyzed'; due: number; results: AnalyzeOutcome[] }
  | { outcome: 'fanned-out'; due: number; shards: number };

/**
 * The scheduled tick. Up to `batchSize` due rollouts are judged here and now; past it, the
 * due rollouts are split into shards, each handed to its own invocation (analyzeShard), so a
 * fleet larger than one invocation can judge still finishes within the tick. Each shard is
 * delivered and retried on its own.
 */
export const scheduledTick = async (deps: TickDeps): Promise<TickResult> => {
  const now = deps.now();
  const due = await deps.store.listDue(now);
  if (due.length <= deps.batchSize)
    return { outcome: 'analyzed', due: due.length, results: await analyzeStates(deps, due, now) };
  const shards = planShards(
    due.map((state) => state.id),
    now,
    { batchSize: deps.batchSize },
  );
  await deps.shards.request(shards);
  return { outcome: 'fanned-out', due: due.length, shards: shards.length };
};

/**
 * One shard of a tick: its rollouts read again, and those still due at the tick's time judged
 * together (one query per template for the shard). One that another tick has judged since, or
 * that has gone, is left alone. A failure to read the shard throws, so that the shard, and
 * only it, is delivered again.
 */
export const analyzeShard = async (
  deps: AnalyzeDeps,
  shard: AnalysisShard,
): Promise<AnalyzeOutcome[]> => {
  const tickAt = new Date(shard.tickAt);
  const states = await deps.store.getMany(shard.ids);
  return analyzeStates(
    deps,
    states.filter((state) => isDue(state, tickAt)),
    deps.now(),
  );
};
