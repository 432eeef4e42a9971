import { type Command, Option } from 'commander';
import type { ConnectionFlags } from './config.ts';

export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];
/** `list` and `get` also print `-o wide` (more columns) and `-o name` (one reference a line). */
export const LISTING_FORMATS = [...FORMATS, 'wide', 'name'] as const;
export type ListingFormat = (typeof LISTING_FORMATS)[number];

/** `-o table|json|yaml`, which every command takes. */
export const withOutput = (
  command: Command,
  fallback: Format = 'table',
  formats: readonly string[] = FORMATS,
): Command =>
  command.addOption(
    new Option('-o, --output <format>', 'output format').choices(formats).default(fallback),
  );

/** Where the API is and how to sign in; flags win over KANARI_* env, env over the config file. */
export const withConnection = (command: Command): Command =>
  command
    .option('--url <url>', 'API endpoint (env KANARI_URL, or the context)')
    .option('--token <token>', 'bearer token for a local API (env KANARI_TOKEN, or the context)')
    .option('--context <name>', 'use this context of the config file (env KANARI_CONTEXT)')
    .option('--sigv4', 'sign requests with AWS SigV4 for the IAM authorizer (config auth: sigv4)')
    .option('--region <region>', 'AWS region for --sigv4 (env AWS_REGION, config region)')
    .option(
      '--config <file>',
      'config file (env KANARI_CONFIG; default ~/.config/kanari/config.yaml)',
    );

/** `-n` and `--cluster`: what a bare rollout name means; the context gives the defaults. */
export const withRef = (command: Command): Command =>
  command
    .option('-n, --namespace <namespace>', "the rollout's namespace (default: the context's)")
    .option('--cluster <cluster>', "the rollout's cluster (default: the context's)");

export type ConnectedOptions = ConnectionFlags & { output: Format };
export type RefOptions = { namespace?: string; cluster?: string };

/** A rollout id is `cluster/namespace/name`. */
export const ROLLOUT_ID = /^[^/\s]+\/[^/\s]+\/[^/\s]+$/;
