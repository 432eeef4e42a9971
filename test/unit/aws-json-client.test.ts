import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwsServiceError,
  awsJsonClient,
  endpointFromEnv,
  isTransientAwsError,
} from '../../lib/adapters/aws-json.ts';
import { cloudWatchClient } from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { dynamoClient } from '../../lib/adapters/dynamodb/client.ts';
import { eventsClient } from '../../lib/adapters/eventbridge/client.ts';
import { ParameterError, ssmParameters } from '../../lib/adapters/ssm/parameters.ts';
import { startAwsStandIn, TEST_CREDENTIALS } from '../support/sigv4-check.ts';

// A local server stands in for AWS: it checks each request's SigV4 signature by computing it
// again from the specification (canonical request, string to sign, HMAC key chain) with
// node:crypto alone, then answers with what the test scripts.

const CREDENTIALS = TEST_CREDENTIALS;
const REGION = 'eu-west-1';

let standIn: Awaited<ReturnType<typeof startAwsStandIn>>;
let url = '';
beforeAll(async () => {
  standIn = await startAwsStandIn();
  url = standIn.url;
});
afterAll(() => standIn.close());

const fast = { retries: 2, minDelayMs: 1, maxDelayMs: 2 };
const options = () => ({ region: REGION, endpoint: url, credentials: CREDENTIALS, retry: fast });
const reset = (next: { status: number; body: unknown }[] = []) => standIn.reset(next);

describe('the AWS JSON-protocol client', () => {
  it('signs each request with SigV4 for its service and region, as the specification computes it', async () => {
    reset([{ status: 200, body: { Item: { PK: { S: 'a' }, n: { N: '2' } } } }]);
    const dynamo = dynamoClient(options());
    expect(await dynamo.getItem({ TableName: 't', Key: { PK: 'a', SK: 'STATE' } })).toEqual({
      Item: { PK: 'a', n: 2 },
    });
    expect(standIn.seen).toEqual([
      {
        target: 'DynamoDB_20120810.GetItem',
        contentType: 'application/x-amz-json-1.0',
        scope: `${REGION}/dynamodb/aws4_request`,
        signedHeaders: expect.stringContaining('x-amz-target'),
        body: { TableName: 't', Key: { PK: { S: 'a' }, SK: { S: 'STATE' } } },
      },
    ]);
  });

  it('refuses a request signed with other credentials (the check can fail)', async () => {
    reset();
    const other = awsJsonClient(
      { signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0' },
      { ...options(), credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' } },
    );
    const error = await other('GetItem', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect((error as AwsServiceError).name).toBe('InvalidSignatureException');
    expect((error as AwsServiceError).status).toBe(403);
  });

  it('sends EventBridge PutEvents as JSON 1.1 with its target', async () => {
    reset([{ status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] } }]);
    const events = eventsClient(options());
    const entry = { Source: 'kanari', DetailType: 'x', Detail: '{}', EventBusName: 'b' };
    expect(await events.putEvents({ Entries: [entry] })).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: 'e1' }],
    });
    expect(standIn.seen[0]).toMatchObject({
      target: 'AWSEvents.PutEvents',
      contentType: 'application/x-amz-json-1.1',
      scope: `${REGION}/events/aws4_request`,
      body: { Entries: [entry] },
    });
  });

  it('names an error by its type and keeps the fields of its body, e.g. cancellation reasons', async () => {
    const reasons = [
      { Code: 'ConditionalCheckFailed', Item: { version: { N: '3' } } },
      { Code: 'None' },
    ];
    reset([
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          Message: 'Transaction cancelled',
          CancellationReasons: reasons,
        },
      },
    ]);
    const dynamo = dynamoClient(options());
    const error = await dynamo
      .transactWriteItems({
        TransactItems: [
          { Put: { TableName: 't', Item: { PK: 'a', gone: undefined }, ConditionExpression: 'x' } },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      message: 'Transaction cancelled',
      CancellationReasons: reasons,
    });
    // Not transient: tried once. `undefined` attributes were left out of the item.
    expect(standIn.seen).toHaveLength(1);
    expect(standIn.seen[0]?.body).toEqual({
      TransactItems: [
        { Put: { TableName: 't', Item: { PK: { S: 'a' } }, ConditionExpression: 'x' } },
      ],
    });
  });

  it('tries a throttled or 5xx answer again, with backoff, and gives up after its retries', async () => {
    const throttled = {
      status: 400,
      body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
    };
    reset([
      throttled,
      { status: 503, body: 'Service Unavailable' },
      { status: 200, body: { Items: [] } },
    ]);
    const dynamo = dynamoClient(options());
    expect(
      await dynamo.query({
        TableName: 't',
        KeyConditionExpression: 'PK = :p',
        ExpressionAttributeValues: { ':p': 'a' },
      }),
    ).toEqual({ Items: [], LastEvaluatedKey: undefined });
    expect(standIn.seen).toHaveLength(3);

    reset([throttled, throttled, throttled, throttled]);
    const error = await dynamo.query({ TableName: 't' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect(standIn.seen).toHaveLength(3); // the first try and two retries
  });

  it('lists CloudWatch alarm tags as JSON 1.0, signed for monitoring', async () => {
    reset([{ status: 200, body: { Tags: [{ Key: 'service', Value: 'cart' }] } }]);
    const arn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x';
    expect(await cloudWatchClient(options()).listTagsForResource({ ResourceARN: arn })).toEqual({
      Tags: [{ Key: 'service', Value: 'cart' }],
    });
    expect(standIn.seen[0]).toMatchObject({
      target: 'GraniteServiceVersion20100801.ListTagsForResource',
      contentType: 'application/x-amz-json-1.0',
      scope: `${REGION}/monitoring/aws4_request`,
      body: { ResourceARN: arn },
    });
  });

  it('reads SSM parameters decrypted, ten names to a call, cached until the TTL passes', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `/kanari/p${i}`);
    const answer = (from: number, to: number) => ({
      status: 200,
      body: { Parameters: names.slice(from, to).map((Name) => ({ Name, Value: `v${Name}` })) },
    });
    reset([answer(0, 10), answer(10, 12), answer(0, 10), answer(10, 12)]);
    let now = 0;
    const read = ssmParameters({ ...options(), ttlMs: 1000, now: () => now });
    expect((await read(names))['/kanari/p11']).toBe('v/kanari/p11');
    expect(
      standIn.seen.map((s) => [
        s.target,
        (s.body as { Names: string[] }).Names.length,
        (s.body as { WithDecryption: boolean }).WithDecryption,
      ]),
    ).toEqual([
      ['AmazonSSM.GetParameters', 10, true],
      ['AmazonSSM.GetParameters', 2, true],
    ]);
    now = 999;
    await read(names);
    expect(standIn.seen).toHaveLength(2);
    now = 1000;
    await read(names);
    expect(standIn.seen).toHaveLength(4);

    reset([{ status: 200, body: { Parameters: [], InvalidParameters: ['/kanari/none'] } }]);
    now = 5000;
    await expect(read(['/kanari/none'])).rejects.toThrow(
      new ParameterError('SSM has no parameter /kanari/none'),
    );
  });

  it('says which failures are transient', () => {
    expect(isTransientAwsError(new AwsServiceError(500, {}))).toBe(true);
    expect(
      isTransientAwsError(
        new AwsServiceError(400, { __type: 'x#ProvisionedThroughputExceededException' }),
      ),
    ).toBe(true);
    expect(
      isTransientAwsError(
        new AwsServiceError(400, { __type: 'x#ConditionalCheckFailedException' }),
      ),
    ).toBe(false);
    expect(isTransientAwsError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(isTransientAwsError(new Error('other'))).toBe(false);
  });

  it('takes a local endpoint from the SDK’s own environment variables', () => {
    expect(
      endpointFromEnv({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }, 'DYNAMODB'),
    ).toBe('http://127.0.0.1:8000');
    expect(endpointFromEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, 'EVENTBRIDGE')).toBe(
      'http://127.0.0.1:9',
    );
    expect(endpointFromEnv({}, 'DYNAMODB')).toBeUndefined();
  });
});
