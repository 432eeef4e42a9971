import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { consoleBuildOptions } from '../../console/bundle.ts';
import { startDynamoDbLocal } from '../../sandbox/dynamodb-local.ts';
import { quietKnownNodeWarnings } from '../../sandbox/node-warnings.ts';

/**
 * One DynamoDB Local for the whole integration run; tests reach it with inject('dynamoEndpoint').
 * The console's browser bundle is built first, as `npm run build:console` would.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  quietKnownNodeWarnings();
  await build(consoleBuildOptions(fileURLToPath(new URL('../..', import.meta.url))));
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
