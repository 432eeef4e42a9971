import type { AnalysisShard } from '../domain/shards.ts';

/**
 * Hands shards of a tick to other invocations (EventBridge in AWS: detail-type
 * `Analysis Shard Requested`, one entry per shard). Each shard is delivered, and retried,
 * on its own.
 *
 * Errors: whatever the transport throws when a shard could not be handed over.
 */
export interface ShardQueue {
  request(shards: AnalysisShard[]): Promise<void>;
}
