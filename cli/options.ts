import { type Command, Option } from 'commander';
import type { ConnectionFlags } from './config.ts';

export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

/** `-o table|json|yaml`, which every command takes. */
export const withOutput = (command: Command, fallback: Format = 'table'): Command =>
  command.addOption(
    new Option('-o, --output <format>', 'output format').choices(FORMATS).default(fallback),
  );

/** Where the API is and how to sign in; flags win over KANARI_* env, env over the config file. */
export const withConnection = (command: Command): Command =>
  command
    .option('--url <url>', 'API endpoint (env KANARI_URL, config url)')
    .option('--token <token>', 'bearer token for a local API (env KANARI_TOKEN, config token)')
    .option('--sigv4', 'sign requests with AWS SigV4 for the IAM authorizer (config auth: sigv4)')
    .option('--region <region>', 'AWS region for --sigv4 (env AWS_REGION, config region)')
    .option(
      '--config <file>',
      'config file (env KANARI_CONFIG; default ~/.config/kanari/config.yaml)',
    );

export type ConnectedOptions = ConnectionFlags & { output: Format };

/** A rollout id is `cluster/namespace/name`. */
export const ROLLOUT_ID = /^[^/\s]+\/[^/\s]+\/[^/\s]+$/;
