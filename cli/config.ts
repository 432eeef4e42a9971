import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { type ApiClient, createApiClient } from './api-client.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { executeApiSigner } from './sigv4.ts';

/** Where to reach the API and how to prove who we are; flags win over env, env over the file. */
export interface ConnectionFlags {
  url?: string;
  token?: string;
  sigv4?: boolean;
  region?: string;
  config?: string;
}

const configFileSchema = z
  .object({
    url: z.url().optional(),
    token: z.string().min(1).optional(),
    auth: z.enum(['token', 'sigv4']).optional(),
    region: z.string().min(1).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

export const configPath = (flags: ConnectionFlags, env: CliContext['env']): string =>
  flags.config ??
  env.KANARI_CONFIG ??
  join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'kanari', 'config.yaml');

/** The config file, or nothing when the default one does not exist. A bad file is an error. */
const readConfigFile = async (path: string, explicit: boolean): Promise<ConfigFile> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return {};
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  const result = configFileSchema.safeParse(parse(text) ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new CliError(`invalid config file ${path}: ${problems.join('; ')}`);
  }
  return result.data;
};

/** `https://abc.execute-api.eu-west-1.amazonaws.com` names its region. */
const regionOfUrl = (url: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];

/** An API client for the command, or a clear error naming what is missing. */
export const connect = async (flags: ConnectionFlags, ctx: CliContext): Promise<ApiClient> => {
  const { env } = ctx;
  const path = configPath(flags, env);
  const file = await readConfigFile(path, Boolean(flags.config ?? env.KANARI_CONFIG));
  const url = flags.url ?? env.KANARI_URL ?? file.url;
  if (!url)
    throw new CliError(`no API endpoint: pass --url, set KANARI_URL, or put url: in ${path}`);
  const sigv4 =
    flags.sigv4 || env.KANARI_AUTH === 'sigv4' || (!flags.token && file.auth === 'sigv4');
  if (sigv4) {
    const region =
      flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? file.region ?? regionOfUrl(url);
    if (!region)
      throw new CliError(
        '--sigv4 needs a region: pass --region, set AWS_REGION, or region: in the config file',
      );
    return createApiClient({ url, sign: executeApiSigner(region) });
  }
  const token = flags.token ?? env.KANARI_TOKEN ?? file.token;
  if (!token) {
    throw new CliError(
      `no credentials: pass --token, set KANARI_TOKEN, put token: in ${path}, or use --sigv4 in AWS`,
    );
  }
  return createApiClient({ url, token });
};
