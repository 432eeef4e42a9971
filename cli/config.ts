import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { durationMs, isDuration } from '../lib/domain/duration.ts';
import { type ApiClient, createApiClient } from './api-client.ts';
import type { ConfigContext, ConfigFile } from './config-schema.ts';
import type { CliContext } from './context.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { nodeFetch } from './http.ts';
import { closest, didYouMean } from './suggest.ts';

/** Where to reach the API and how to prove who we are; flags win over env, env over the file. */
export interface ConnectionFlags {
  url?: string;
  token?: string;
  sigv4?: boolean;
  region?: string;
  config?: string;
  /** A context of the config file other than its current-context. */
  context?: string;
}

export type { ConfigContext, ConfigFile } from './config-schema.ts';

export const configPath = (
  flags: Pick<ConnectionFlags, 'config'>,
  env: CliContext['env'],
): string =>
  flags.config ??
  env.KANARI_CONFIG ??
  join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'kanari', 'config.yaml');

/** The config file, or nothing when the default one does not exist. A bad file is an error. */
export const readConfigFile = async (path: string, explicit: boolean): Promise<ConfigFile> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return {};
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new CliError(`invalid config file ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  // zod loads only when there is a file to check: `kanari --help` starts without it.
  const { configFileSchema } = await import('./config-schema.ts');
  const result = configFileSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new CliError(`invalid config file ${path}: ${problems.join('; ')}`);
  }
  const names = (result.data.contexts ?? []).map((c) => c.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new CliError(`invalid config file ${path}: context "${twice}" appears twice`);
  return result.data;
};

/** Writes the file readable by its owner only: it may hold tokens. */
export const writeConfigFile = async (path: string, file: ConfigFile): Promise<void> => {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, stringify(file), { mode: 0o600 });
  await chmod(path, 0o600);
};

/** The config file as a command sees it: its path, its content, and the context in force. */
export interface LoadedConfig {
  path: string;
  file: ConfigFile;
  context?: ConfigContext;
}

/** The context named `name` in the file, or exit 3 with the closest names. */
export const findContext = (file: ConfigFile, name: string, path: string): ConfigContext => {
  const contexts = file.contexts ?? [];
  const found = contexts.find((c) => c.name === name);
  if (found) return found;
  const names = contexts.map((c) => c.name);
  throw new CliError(
    `context "${name}" not found in ${path}${didYouMean(closest(name, names))}${names.length === 0 ? '; create it with kanari config set-context' : ''}`,
    EXIT.notFound,
  );
};

export const loadConfig = async (
  flags: Pick<ConnectionFlags, 'config' | 'context'>,
  env: CliContext['env'],
): Promise<LoadedConfig> => {
  const path = configPath(flags, env);
  const file = await readConfigFile(path, Boolean(flags.config ?? env.KANARI_CONFIG));
  const name = flags.context ?? env.KANARI_CONTEXT ?? file['current-context'];
  return { path, file, ...(name ? { context: findContext(file, name, path) } : {}) };
};

/** A URL the API can be reached at, or a usage error naming where it came from. */
export const checkUrl = (url: string, source: string): string => {
  if (!/^https?:\/\/[^/\s]/i.test(url))
    throw new UsageError(`${source} must start with http:// or https:// (got '${url}')`);
  try {
    new URL(url);
  } catch {
    throw new UsageError(`${source} is not a valid URL (got '${url}')`);
  }
  return url;
};

/**
 * With no answer this long the API is unreachable (exit 6): KANARI_TIMEOUT (a duration such
 * as 10s), else 30 s, API Gateway's own limit.
 */
const timeoutOf = (env: CliContext['env']): number => {
  const value = env.KANARI_TIMEOUT;
  if (value === undefined || value === '') return 30_000;
  if (!isDuration(value))
    throw new UsageError(`KANARI_TIMEOUT: "${value}" is not a duration such as 10s`);
  return durationMs(value);
};

/** `https://abc.execute-api.eu-west-1.amazonaws.com` names its region. */
const regionOfUrl = (url: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];

/** The endpoint, and where it came from (for messages). */
const endpointOf = (
  flags: ConnectionFlags,
  env: CliContext['env'],
  { path, file, context }: LoadedConfig,
): { url: string; source: string } | undefined => {
  if (flags.url) return { url: flags.url, source: '--url' };
  if (env.KANARI_URL) return { url: env.KANARI_URL, source: 'KANARI_URL' };
  if (context?.url) return { url: context.url, source: `the url of context "${context.name}"` };
  if (file.url) return { url: file.url, source: `url in ${path}` };
  return undefined;
};

/** An API client for the command and the config it was made from, or an error naming what is missing. */
export const connectWithConfig = async (
  flags: ConnectionFlags,
  ctx: CliContext,
): Promise<{ api: ApiClient; config: LoadedConfig }> => {
  const { env } = ctx;
  const config = await loadConfig(flags, env);
  const { path, file, context } = config;
  const endpoint = endpointOf(flags, env, config);
  if (!endpoint)
    throw new UsageError(
      `no API endpoint: pass --url, set KANARI_URL, or set a context (kanari config set-context NAME --url URL)`,
    );
  const url = checkUrl(endpoint.url, endpoint.source);
  const sigv4 =
    flags.sigv4 || env.KANARI_AUTH === 'sigv4' || (!flags.token && file.auth === 'sigv4');
  if (sigv4) {
    const region =
      flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? file.region ?? regionOfUrl(url);
    if (!region)
      throw new UsageError(
        '--sigv4 needs a region: pass --region, set AWS_REGION, or region: in the config file',
      );
    // The AWS SDK loads only for --sigv4.
    const { executeApiSigner } = await import('./sigv4.ts');
    return {
      api: createApiClient({
        url,
        fetch: nodeFetch,
        timeoutMs: timeoutOf(env),
        sign: executeApiSigner(region),
      }),
      config,
    };
  }
  const token = flags.token ?? env.KANARI_TOKEN ?? context?.token ?? file.token;
  if (!token) {
    throw new CliError(
      `no credentials: pass --token, set KANARI_TOKEN, put token: in ${path}, or use --sigv4 in AWS`,
      EXIT.auth,
    );
  }
  return {
    api: createApiClient({ url, fetch: nodeFetch, timeoutMs: timeoutOf(env), token }),
    config,
  };
};

/** An API client for the command, or a clear error naming what is missing. */
export const connect = async (flags: ConnectionFlags, ctx: CliContext): Promise<ApiClient> =>
  (await connectWithConfig(flags, ctx)).api;
