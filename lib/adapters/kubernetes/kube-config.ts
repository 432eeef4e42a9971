import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
// js-yaml, not yaml: every function that reaches a cluster bundles this reader, and js-yaml's
// loader is a fraction of yaml's weight (docs/scale.md). Writing a kubeconfig is the sandbox's.
import { CORE_SCHEMA, load } from 'js-yaml';
import { type ExecPlugin, execCredentialToken } from './exec-credential.ts';

/**
 * How to reach one cluster: a kubeconfig context resolved to its server, TLS material and
 * credentials, or an EKS cluster (eks-kube-config.ts). The adapters make their requests with it.
 */
export interface KubeConfig {
  /** The context's name. */
  name: string;
  /** The API server, `https://host:port` (or `http://`). */
  server: string;
  /** PEM certificate authority; without it, Node's trusted roots. */
  ca?: Pem;
  /** PEM client certificate and key, for a user that authenticates with them. */
  cert?: Pem;
  key?: Pem;
  /** `insecure-skip-tls-verify`: the server's certificate is not checked. */
  insecure?: boolean;
  /** `tls-server-name`: the name the server's certificate is checked against. */
  serverName?: string;
  /** The bearer token for the next request, if the user has one; asked before every request. */
  token?: () => string | Promise<string>;
  /**
   * Where the server is, when it is looked up rather than given (an EKS cluster without
   * `server` and `caData`): asked before the first request, and again after a failure. Its
   * answer replaces `server` and `ca`.
   */
  lookup?: () => Promise<{ server: string; ca: Buffer }>;
}

/** PEM bytes, or the file that holds them: read when the cluster's client is made, as kubectl does. */
export type Pem = Buffer | { file: string };

/** A kubeconfig kanari cannot use: the message names the file and the entry. */
export class KubeConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeConfigError';
  }
}

type Entry = Record<string, unknown>;
interface Named {
  name: string;
  [kind: string]: unknown;
}

/** A kubeconfig file as read: its entries, and each context resolved on demand. */
export interface KubeConfigFile {
  path: string;
  /** The names of its contexts, in file order. */
  contexts: string[];
  currentContext: string | undefined;
  /** The context of that name resolved; throws KubeConfigError if it cannot be used. */
  context(name: string): KubeConfig;
  /** The server of that context's cluster, if it names one the file defines. */
  serverOf(name: string): string | undefined;
  /**
   * A kubeconfig holding that context alone, its cluster and its user, with absolute paths: the
   * document, for the caller to write (the sandbox writes it as YAML).
   */
  exportContext(name: string): Record<string, unknown>;
}

const PATH_FIELDS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];
// Users kanari cannot serve. Exec plugins it runs, as kubectl does (in Lambda there is
// normally none to run); the older auth-provider plugins it does not.
const REFUSED_USER_FIELDS: Record<string, string> = {
  'auth-provider': 'auth-provider plugins',
  username: 'basic authentication',
};

const isEntry = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const namedList = (doc: Entry, key: string, path: string): Named[] => {
  const list = doc[key] ?? [];
  if (!Array.isArray(list)) throw new KubeConfigError(`${path}: ${key} is not a list`);
  return list.map((item, i) => {
    if (!isEntry(item) || typeof item.name !== 'string')
      throw new KubeConfigError(`${path}: ${key}[${i}] has no name`);
    return item as Named;
  });
};

/** Reads a kubeconfig; relative file paths in it are relative to its folder, as kubectl has it. */
export function readKubeConfigFile(path: string): KubeConfigFile {
  let doc: unknown;
  try {
    // The YAML 1.2 core schema, as kubectl reads it: timestamps (an auth-provider's `expiry`)
    // stay strings. Unlike yaml, js-yaml refuses a tag it does not know, such as `!foo`.
    doc = load(readFileSync(path, 'utf8'), { schema: CORE_SCHEMA });
  } catch (error) {
    throw new KubeConfigError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!isEntry(doc)) throw new KubeConfigError(`${path}: not a kubeconfig (no mapping)`);
  const lists = {
    clusters: namedList(doc, 'clusters', path),
    users: namedList(doc, 'users', path),
    contexts: namedList(doc, 'contexts', path),
  };
  const absolute = (value: unknown) =>
    typeof value === 'string' && value && !isAbsolute(value) ? join(dirname(path), value) : value;
  const withAbsolutePaths = (entry: Entry): Entry =>
    Object.fromEntries(
      Object.entries(entry).map(([k, v]) => [k, PATH_FIELDS.includes(k) ? absolute(v) : v]),
    );
  const find = (kind: keyof typeof lists, name: string | undefined) =>
    lists[kind].find((item) => item.name === name);
  const body = (item: Named | undefined, field: string): Entry | undefined => {
    const value = item?.[field];
    return isEntry(value) ? withAbsolutePaths(value) : undefined;
  };
  const parts = (name: string) => {
    const context = body(find('contexts', name), 'context');
    if (!context) throw new KubeConfigError(`kubeconfig context "${name}" not found in ${path}`);
    const clusterName = context.cluster as string | undefined;
    const cluster = body(find('clusters', clusterName), 'cluster');
    const userName = context.user as string | undefined;
    const user = userName === undefined ? {} : body(find('users', userName), 'user');
    return { context, clusterName, cluster, userName, user };
  };
  return {
    path,
    contexts: lists.contexts.map((c) => c.name),
    currentContext: typeof doc['current-context'] === 'string' ? doc['current-context'] : undefined,
    context(name) {
      const { clusterName, cluster, userName, user } = parts(name);
      const where = `${path}: context "${name}"`;
      if (!cluster)
        throw new KubeConfigError(`${where} names cluster "${clusterName}", not defined`);
      if (!user) throw new KubeConfigError(`${where} names user "${userName}", not defined`);
      return resolve(name, cluster, user, `${path}: user "${userName}"`);
    },
    serverOf(name) {
      const server = parts(name).cluster?.server;
      return typeof server === 'string' ? server : undefined;
    },
    exportContext(name) {
      const { context, clusterName, cluster, userName, user } = parts(name);
      return {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: cluster ? [{ name: clusterName, cluster }] : [],
        users: user && userName !== undefined ? [{ name: userName, user }] : [],
        contexts: [{ name, context }],
        'current-context': name,
      };
    },
  };
}

const text = (entry: Entry, field: string, where: string): string | undefined => {
  const value = entry[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new KubeConfigError(`${where}: ${field} is not a string`);
  return value;
};

/** `<field>-data` (base64) or the file `<field>` names. */
const material = (entry: Entry, field: string, where: string): Pem | undefined => {
  const data = text(entry, `${field}-data`, where);
  if (data) return Buffer.from(data, 'base64');
  const file = text(entry, field, where);
  return file ? { file } : undefined;
};

/** The bytes of a Pem; a file that cannot be read is a configuration error naming it. */
export const pemBytes = (pem: Pem): Buffer => {
  if (Buffer.isBuffer(pem)) return pem;
  try {
    return readFileSync(pem.file);
  } catch (error) {
    throw new KubeConfigError(`kubeconfig: ${pem.file} cannot be read`, { cause: error });
  }
};

function resolve(name: string, cluster: Entry, user: Entry, userWhere: string): KubeConfig {
  const clusterWhere = `context "${name}": its cluster`;
  const server = text(cluster, 'server', clusterWhere);
  if (!server) throw new KubeConfigError(`${clusterWhere} has no server`);
  for (const [field, what] of Object.entries(REFUSED_USER_FIELDS))
    if (user[field] !== undefined)
      throw new KubeConfigError(
        `${userWhere} uses ${what}, which kanari does not support: give it a token, a tokenFile, a client certificate or an exec plugin, or list an EKS cluster in KANARI_EKS_CLUSTERS`,
      );
  const token = text(user, 'token', userWhere);
  const tokenFile = text(user, 'tokenFile', userWhere);
  const exec = user.exec === undefined ? undefined : execPlugin(user.exec, userWhere);
  const ca = material(cluster, 'certificate-authority', clusterWhere);
  const cert = material(user, 'client-certificate', userWhere);
  const key = material(user, 'client-key', userWhere);
  const serverName = text(cluster, 'tls-server-name', clusterWhere);
  return {
    name,
    server,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecure: true } : {}),
    ...(serverName ? { serverName } : {}),
    // A token file is read on every request: projected service-account tokens are rotated.
    ...(token
      ? { token: () => token }
      : tokenFile
        ? { token: () => readFileSync(tokenFile, 'utf8').trim() }
        : exec
          ? { token: execCredentialToken(exec, userWhere) }
          : {}),
  };
}

/** A user's `exec` entry, checked: a command, and args and env of the shapes kubectl reads. */
const execPlugin = (value: unknown, where: string): ExecPlugin => {
  const bad = (what: string) => new KubeConfigError(`${where}: exec ${what}`);
  if (!isEntry(value) || typeof value.command !== 'string' || value.command === '')
    throw bad('has no command');
  const { args, env, apiVersion } = value;
  if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string')))
    throw bad('args is not a list of strings');
  const pairs = env ?? [];
  if (
    !Array.isArray(pairs) ||
    !pairs.every((e) => isEntry(e) && typeof e.name === 'string' && typeof e.value === 'string')
  )
    throw bad('env is not a list of name and value');
  return {
    command: value.command,
    ...(args ? { args: args as string[] } : {}),
    env: pairs as ExecPlugin['env'] & object,
    ...(typeof apiVersion === 'string' ? { apiVersion } : {}),
  };
};

export interface LoadKubeConfigOptions {
  /** A kubeconfig file; without it, the first file of $KUBECONFIG, else ~/.kube/config. */
  kubeconfigPath?: string;
  /** A context to use instead of the file's current-context. */
  context?: string;
}

/** The kubeconfig file kubectl would read without --kubeconfig. */
export const defaultKubeConfigPath = (env: NodeJS.ProcessEnv = process.env): string =>
  env.KUBECONFIG?.split(delimiter).find((p) => p && existsSync(p)) ??
  join(homedir(), '.kube', 'config');

/** Loads a kubeconfig and resolves one of its contexts (default: its current-context). */
export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): KubeConfig {
  const file = readKubeConfigFile(opts.kubeconfigPath ?? defaultKubeConfigPath());
  const name = opts.context ?? file.currentContext;
  if (name === undefined)
    throw new KubeConfigError(`${file.path} has no current-context; name a context`);
  return file.context(name);
}
