// Types only: the SDK's document-client shapes, erased at build, so no SDK code is bundled.
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type AwsJsonCall, type AwsJsonClientOptions, awsJsonClient } from '../aws-json.ts';

type Item = Record<string, unknown>;
type Wire = Record<string, unknown>;

/**
 * The four DynamoDB operations the store uses, in the document form (plain JavaScript values,
 * as the SDK's DynamoDBDocumentClient takes them): the adapter's one view of DynamoDB.
 */
export interface DynamoClient {
  getItem(input: GetCommandInput): Promise<Pick<GetCommandOutput, 'Item'>>;
  query(input: QueryCommandInput): Promise<Pick<QueryCommandOutput, 'Items' | 'LastEvaluatedKey'>>;
  batchGetItem(
    input: BatchGetCommandInput,
  ): Promise<Pick<BatchGetCommandOutput, 'Responses' | 'UnprocessedKeys'>>;
  transactWriteItems(input: TransactWriteCommandInput): Promise<void>;
}

// `undefined` attributes are left out, as DynamoDB refuses them.
const wire = (item: Item | undefined): Wire | undefined =>
  item === undefined ? undefined : marshall(item, { removeUndefinedValues: true });
const doc = (item: Wire | undefined): Item | undefined =>
  item === undefined ? undefined : unmarshall(item as Parameters<typeof unmarshall>[0]);
const docs = (items: unknown): Item[] | undefined =>
  Array.isArray(items) ? items.map((item) => doc(item) as Item) : undefined;

/** An item's key and values in a write or a condition check, in DynamoDB's JSON. */
const wireAction = <A extends { Key?: Item; Item?: Item; ExpressionAttributeValues?: Item }>(
  action: A | undefined,
) =>
  action && {
    ...action,
    Key: wire(action.Key),
    Item: wire(action.Item),
    ExpressionAttributeValues: wire(action.ExpressionAttributeValues),
  };

/** DynamoDB over its JSON protocol (lib/adapters/aws-json.ts). */
export const dynamoClient = (
  options: AwsJsonClientOptions,
  call: AwsJsonCall = awsJsonClient(
    { signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0' },
    options,
  ),
): DynamoClient => ({
  async getItem(input) {
    const { Item } = await call<{ Item?: Wire }>('GetItem', { ...input, Key: wire(input.Key) });
    return { Item: doc(Item) };
  },

  async query(input) {
    const page = await call<{ Items?: Wire[]; LastEvaluatedKey?: Wire }>('Query', {
      ...input,
      ExclusiveStartKey: wire(input.ExclusiveStartKey),
      ExpressionAttributeValues: wire(input.ExpressionAttributeValues),
    });
    return { Items: docs(page.Items), LastEvaluatedKey: doc(page.LastEvaluatedKey) };
  },

  async batchGetItem(input) {
    const RequestItems = Object.fromEntries(
      Object.entries(input.RequestItems ?? {}).map(([table, request]) => [
        table,
        { ...request, Keys: request.Keys?.map((key) => wire(key)) },
      ]),
    );
    const answer = await call<{
      Responses?: Record<string, Wire[]>;
      UnprocessedKeys?: Record<string, { Keys?: Wire[] }>;
    }>('BatchGetItem', { ...input, RequestItems });
    const perTable = <V>(record: Record<string, V> | undefined, map: (value: V) => unknown) =>
      record && Object.fromEntries(Object.entries(record).map(([t, v]) => [t, map(v)]));
    return {
      Responses: perTable(answer.Responses, docs) as BatchGetCommandOutput['Responses'],
      UnprocessedKeys: perTable(answer.UnprocessedKeys, (request) => ({
        ...request,
        Keys: docs(request.Keys),
      })) as BatchGetCommandOutput['UnprocessedKeys'],
    };
  },

  async transactWriteItems(input) {
    await call('TransactWriteItems', {
      ...input,
      TransactItems: input.TransactItems?.map((item) => ({
        Put: wireAction(item.Put),
        Update: wireAction(item.Update),
        Delete: wireAction(item.Delete),
        ConditionCheck: wireAction(item.ConditionCheck),
      })),
    });
  },
});
