import { describe, expect, it } from 'vitest';
import {
  AlarmTagsError,
  type CloudWatchClient,
  createCloudWatchAlarmTags,
} from '../../lib/adapters/cloudwatch/alarm-tags.ts';

const ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:canary-5xx';

/** A client that answers ListTagsForResource from a function and counts the calls. */
const client = (answer: (arn: string) => unknown) => {
  const asked: string[] = [];
  const stub = {
    listTagsForResource: async (input: { ResourceARN?: string }) => {
      asked.push(String(input.ResourceARN));
      return answer(String(input.ResourceARN));
    },
  };
  return { asked, client: stub as unknown as CloudWatchClient };
};

describe('CloudWatch alarm tags', () => {
  it('reads the tags once per alarm until the cache expires', async () => {
    let now = 0;
    const { asked, client: cloudwatch } = client(() => ({
      Tags: [
        { Key: 'service', Value: 'my-service' },
        { Key: 'team', Value: undefined },
      ],
    }));
    const tags = createCloudWatchAlarmTags({ client: cloudwatch, ttlMs: 1000, now: () => now });
    expect(await tags.tagsOf(ARN)).toEqual({ service: 'my-service', team: '' });
    now = 999;
    await tags.tagsOf(ARN);
    expect(asked).toEqual([ARN]);
    now = 1000;
    await tags.tagsOf(ARN);
    expect(asked).toEqual([ARN, ARN]);
  });

  it('names the alarm when CloudWatch refuses', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const { client: cloudwatch } = client(() => Promise.reject(denied));
    const tags = createCloudWatchAlarmTags({ client: cloudwatch });
    const error = await tags.tagsOf(ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlarmTagsError);
    expect((error as Error).message).toBe(
      `cannot read the tags of ${ARN}: AccessDenied: not authorized`,
    );
  });
});
