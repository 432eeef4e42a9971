import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteItemCommand, DeleteTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';

/** One PutEvents entry as the real EventBridge adapter sent it. */
export interface CapturedEvent {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
}

export interface FunctionEnv {
  tableName: string;
  store: RolloutStore;
  /** Every entry PutEvents received, oldest first. */
  events: CapturedEvent[];
  /** Every item of the table, sorted: equal snapshots mean nothing was written. */
  snapshot(): Promise<unknown[]>;
  /** Deletes every item of the table, for a test that starts over between runs. */
  clear(): Promise<void>;
  restore(): Promise<void>;
}

/**
 * Prepares process.env for importing a function in-process: its own table in DynamoDB Local,
 * and EventBridge and SSM pointed at a tiny server that answers PutEvents (capturing the
 * events) and GetParameters (from `ssmParameters`) as AWS would.
 * functions/shared/wiring.ts reads the environment at import, so import the function after.
 */
export const prepareFunctionEnv = async (
  dynamoEndpoint: string,
  extra: Record<string, string> = {},
  ssmParameters: Record<string, string> = {},
): Promise<FunctionEnv> => {
  const tableName = `kanari-fn-${randomUUID()}`;
  await createTable({ endpoint: dynamoEndpoint, tableName });
  const events: CapturedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      if (req.headers['x-amz-target'] === 'AmazonSSM.GetParameters') {
        const names = (body as { Names?: string[] }).Names ?? [];
        res.end(
          JSON.stringify({
            Parameters: names
              .filter((name) => name in ssmParameters)
              .map((name) => ({ Name: name, Type: 'SecureString', Value: ssmParameters[name] })),
            InvalidParameters: names.filter((name) => !(name in ssmParameters)),
          }),
        );
        return;
      }
      const { Entries = [] } = body as { Entries?: CapturedEvent[] };
      events.push(...Entries);
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: Entries.map(() => ({ EventId: randomUUID() })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const busUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl,
    AWS_ENDPOINT_URL_SSM: busUrl,
    KANARI_TABLE: tableName,
    KANARI_EVENT_BUS: 'kanari-test',
    ...extra,
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);

  const { client, dynamo } = localDynamoClients(dynamoEndpoint);
  return {
    tableName,
    store: createDynamoRolloutStore({ client: dynamo, tableName }),
    events,
    async snapshot() {
      const { Items = [] } = await client.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true }),
      );
      return Items.map((item) => JSON.stringify(item)).sort();
    },
    async clear() {
      const { Items = [] } = await client.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true }),
      );
      for (const { PK, SK } of Items)
        await client.send(
          new DeleteItemCommand({ TableName: tableName, Key: { PK, SK } as never }),
        );
    },
    async restore() {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
};
