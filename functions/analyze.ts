import middy from '@middy/core';
import type { AnalyzeOutcome } from '../lib/app/analyze-due.ts';
import { analyzeShard, scheduledTick } from '../lib/app/analyze-tick.ts';
import { SHARD_DETAIL_TYPE } from '../lib/domain/shards.ts';
import { analysisShardEventSchema } from '../lib/schemas/events.ts';
import { count, latency } from './shared/log.ts';
import { tickDeps } from './shared/metrics-wiring.ts';
import { logging } from './shared/middleware.ts';
import { tracing } from './shared/tracing.ts';

/** One rollout's check: its record (a decision's carries the decision's id) and its metrics. */
const analyzed = (result: AnalyzeOutcome, fields: Record<string, unknown> = {}) => {
  deps.log?.('analyzed', { ...result, ...fields });
  if (result.outcome === 'decided' || result.outcome === 'held')
    count('CheckVerdicts', 'verdict', result.verdict);
  if (result.outcome === 'decided')
    for (const type of result.events) count('Decisions', 'type', type);
};

const deps = tickDeps();

const isShard = (event: unknown): boolean =>
  typeof event === 'object' &&
  event !== null &&
  (event as { 'detail-type'?: unknown })['detail-type'] === SHARD_DETAIL_TYPE;

/**
 * EventBridge schedule: judges every due rollout once, or past the batch size hands shards
 * of them to other invocations. A shard (`Analysis Shard Requested` on the kanari bus) is
 * judged here too; if it cannot be read it throws, so that EventBridge's async retry delivers
 * that shard, and only it, again.
 */
export const handler = middy<unknown>()
  .use(logging('analyze'))
  .use(tracing())
  .handler(async (event) => {
    const started = performance.now();
    if (isShard(event)) {
      const parsed = analysisShardEventSchema.safeParse(event);
      if (!parsed.success) {
        // A malformed shard will not improve on retry: log it and drop it.
        deps.log?.('malformed shard dropped', {
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        return { outcome: 'ignored', reason: 'malformed shard' };
      }
      const { shard, of } = parsed.data.detail;
      const results = await analyzeShard(deps, parsed.data.detail);
      for (const result of results) analyzed(result, { shard, of });
      return { analyzed: results.length, shard, of, results };
    }
    const tick = await scheduledTick(deps);
    if (tick.outcome === 'fanned-out') {
      deps.log?.('fanned out', { due: tick.due, shards: tick.shards });
      return tick;
    }
    for (const result of tick.results) analyzed(result);
    latency('AnalysisLatency', Math.round(performance.now() - started));
    return { analyzed: tick.results.length, results: tick.results };
  });
