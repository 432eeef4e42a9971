/**
 * Fan-out of one scheduler tick: past the batch size, the due rollouts are split into shards,
 * each judged by its own invocation. A shard names its rollouts by id; the invocation reads
 * them again, so it judges them as they are then.
 */
/**
 * Due rollouts one invocation judges before the tick fans out: 1,000 take about 5 s on two
 * cores (npm run bench:scale), well inside the function's timeout.
 */
export const DEFAULT_ANALYZE_BATCH_SIZE = 1000;

/** The EventBridge detail-type of a shard. */
export const SHARD_DETAIL_TYPE = 'Analysis Shard Requested';

export interface AnalysisShard {
  /** The tick that planned it (ISO 8601): a rollout not due by then is left alone. */
  tickAt: string;
  /** 1-based position among the tick's shards, for logs. */
  shard: number;
  of: number;
  ids: string[];
}

/**
 * An EventBridge entry holds at most 256 KB; ids are kept well under it, with room for the
 * envelope. Rollout ids are short (cluster/namespace/name), so a shard is normally cut by
 * count, not size.
 */
export const MAX_SHARD_BYTES = 200_000;

/**
 * Splits ids into shards of at most `batchSize` ids and `maxBytes` of JSON, in order. Every id
 * is in exactly one shard.
 */
export const planShards = (
  ids: readonly string[],
  tickAt: Date,
  options: { batchSize: number; maxBytes?: number },
): AnalysisShard[] => {
  const { batchSize, maxBytes = MAX_SHARD_BYTES } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const groups: string[][] = [];
  let group: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    const size = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (group.length > 0 && (group.length >= batchSize || bytes + size > maxBytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(id);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups.map((shardIds, i) => ({
    tickAt: tickAt.toISOString(),
    shard: i + 1,
    of: groups.length,
    ids: shardIds,
  }));
};
