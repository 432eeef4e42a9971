import { type AnalysisShard, SHARD_DETAIL_TYPE } from '../../domain/shards.ts';
import type { ShardQueue } from '../../ports/shard-queue.ts';
import type { RetryPolicy } from '../retry.ts';
import type { EventsClient } from './client.ts';
import { EVENT_SOURCE, putEntries } from './event-bus.ts';

/**
 * Shards as events on the kanari bus, one PutEvents request each: a request holds at most
 * 256 KB, and a shard of ids may take most of it.
 */
export const createEventBridgeShardQueue = (options: {
  client: EventsClient;
  busName: string;
  retry?: RetryPolicy;
}): ShardQueue => ({
  async request(shards: AnalysisShard[]): Promise<void> {
    await Promise.all(
      shards.map((shard) =>
        putEntries(
          options.client,
          [
            {
              Source: EVENT_SOURCE,
              DetailType: SHARD_DETAIL_TYPE,
              Detail: JSON.stringify(shard),
              EventBusName: options.busName,
              Resources: [],
            },
          ],
          options.retry,
        ),
      ),
    );
  },
});
