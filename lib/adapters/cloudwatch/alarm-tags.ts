// Types only: the SDK's shapes, erased at build, so no SDK code is bundled.
import type {
  GetMetricDataInput,
  GetMetricDataOutput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmTagReader } from '../../ports/alarm-tags.ts';
import { KanariError } from '../../ports/errors.ts';
import { type AwsJsonCall, type AwsJsonClientOptions, awsJsonClient } from '../aws-json.ts';

/** The CloudWatch operations kanari uses: alarm tags (alert intake) and metric data (analysis). */
export interface CloudWatchClient {
  listTagsForResource(input: ListTagsForResourceInput): Promise<ListTagsForResourceOutput>;
  /** Times go as epoch seconds on the JSON protocol, as the SDK sends a Date. */
  getMetricData(
    input: Omit<GetMetricDataInput, 'StartTime' | 'EndTime'> & {
      StartTime: number;
      EndTime: number;
    },
  ): Promise<GetMetricDataOutput>;
}

/** CloudWatch over its JSON 1.0 protocol (lib/adapters/aws-json.ts). */
export const cloudWatchClient = (
  options: AwsJsonClientOptions,
  call: AwsJsonCall = awsJsonClient(
    {
      signingName: 'monitoring',
      targetPrefix: 'GraniteServiceVersion20100801',
      jsonVersion: '1.0',
    },
    options,
  ),
): CloudWatchClient => ({
  listTagsForResource: (input) => call<ListTagsForResourceOutput>('ListTagsForResource', input),
  getMetricData: (input) => call<GetMetricDataOutput>('GetMetricData', input),
});

/** Tags change rarely; a warm container asks again after this long. */
const DEFAULT_TTL_MS = 5 * 60_000;

/** CloudWatch would not list an alarm's tags (throttled, denied, no such alarm). */
export class AlarmTagsError extends KanariError {}

/** Alarm tags from `cloudwatch:ListTagsForResource`, cached per alarm ARN. */
export const createCloudWatchAlarmTags = (options: {
  client: CloudWatchClient;
  ttlMs?: number;
  now?: () => number;
}): AlarmTagReader => {
  const ttl = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; tags: Record<string, string> }>();
  return {
    async tagsOf(alarmArn) {
      const cached = cache.get(alarmArn);
      if (cached && now() - cached.at < ttl) return cached.tags;
      try {
        const { Tags = [] } = await options.client.listTagsForResource({ ResourceARN: alarmArn });
        const tags = Object.fromEntries(
          Tags.filter((tag) => tag.Key !== undefined).map((tag) => [tag.Key, tag.Value ?? '']),
        ) as Record<string, string>;
        cache.set(alarmArn, { at: now(), tags });
        return tags;
      } catch (error) {
        throw new AlarmTagsError(
          `cannot read the tags of ${alarmArn}: ${(error as Error).name}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
  };
};
