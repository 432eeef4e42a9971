import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { onFreePort } from './free-port.ts';
import { pollUntil, superviseProcess } from './service-process.ts';

const INSTALL_HINT = 'apt-get update && apt-get install -y prometheus prometheus-alertmanager';
const READY_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;

type BinaryName = 'prometheus' | 'promtool' | 'prometheus-alertmanager';

/** The Prometheus binaries are not installed (or not where we were told to look). */
export class PrometheusMissingError extends Error {
  constructor(binary: string) {
    super(`${binary} was not found or is not executable. Install it with: ${INSTALL_HINT}`);
    this.name = 'PrometheusMissingError';
  }
}

/** The path of an installed Prometheus binary: on PATH, else in /usr/bin or /usr/local/bin. */
export function findBinary(name: BinaryName): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  return dirs
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export interface StartPrometheusOptions {
  /** `host:port` targets serving `/metrics`. */
  scrapeTargets: string[];
  /** Default 1: rate windows need two scrapes inside them, so `rate(x[5s])` works. */
  scrapeIntervalSeconds?: number;
  ruleFiles?: string[];
  /** e.g. `http://127.0.0.1:9093`. */
  alertmanagerUrl?: string;
  /** Default: the scrape interval. */
  evaluationIntervalSeconds?: number;
  /** Path of the prometheus binary; default `findBinary('prometheus')`. */
  binary?: string;
  readyTimeoutMs?: number;
  /**
   * A folder of TSDB blocks to start from, e.g. made by
   * `promtool tsdb create-blocks-from openmetrics`: copied into the throwaway data dir, so the
   * backfilled series are there from the first query.
   */
  blocksDir?: string;
  /**
   * Require HTTP basic auth of this user (Prometheus's `--web.config.file`, with the password
   * bcrypt-hashed as it wants); every request, readiness included, must then carry it.
   */
  basicAuth?: { username: string; password: string };
}

export interface RunningPrometheus {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus on a free 127.0.0.1 port with a throwaway data dir and resolves
 * once `/-/ready` answers 200. `stop()` ends it (SIGTERM, then SIGKILL) and removes the dir.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? findBinary('prometheus');
  if (!binary || !isExecutable(binary)) throw new PrometheusMissingError(binary ?? 'prometheus');

  const dataDir = await mkdtemp(join(tmpdir(), 'kanari-prometheus-'));
  const configFile = join(dataDir, 'prometheus.yml');
  try {
    if (options.blocksDir) await cp(options.blocksDir, dataDir, { recursive: true });
    await writeFile(configFile, renderConfig(options));
    const web = options.basicAuth && {
      file: join(dataDir, 'web.yml'),
      authorization: basicAuthorization(options.basicAuth),
    };
    if (web && options.basicAuth)
      await writeFile(
        web.file,
        stringify({
          basic_auth_users: {
            // A low cost: a throwaway password, checked on every request of a test.
            [options.basicAuth.username]: await bcrypt.hash(options.basicAuth.password, 4),
          },
        }),
      );
    return await onFreePort(
      (port) => launch(binary, port, dataDir, configFile, options.readyTimeoutMs, web),
      PORT_ATTEMPTS,
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

const renderConfig = (options: StartPrometheusOptions): string => {
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const alertmanager = options.alertmanagerUrl ? new URL(options.alertmanagerUrl) : undefined;
  return stringify({
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: `${options.evaluationIntervalSeconds ?? options.scrapeIntervalSeconds ?? 1}s`,
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      { job_name: 'kanari-sandbox', static_configs: [{ targets: options.scrapeTargets }] },
    ],
    ...(alertmanager && {
      alerting: {
        alertmanagers: [
          {
            scheme: alertmanager.protocol.replace(':', ''),
            path_prefix: alertmanager.pathname,
            static_configs: [{ targets: [alertmanager.host] }],
          },
        ],
      },
    }),
  });
};

const launch = async (
  binary: string,
  port: number,
  dataDir: string,
  configFile: string,
  readyTimeoutMs = READY_TIMEOUT_MS,
  web?: { file: string; authorization: string },
): Promise<RunningPrometheus> => {
  const child = spawn(
    binary,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${dataDir}`,
      `--config.file=${configFile}`,
      '--rules.alert.resend-delay=1s',
      '--web.enable-lifecycle',
      '--log.level=warn',
      ...(web ? [`--web.config.file=${web.file}`] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const service = superviseProcess(child, { name: 'Prometheus' });
  const url = `http://127.0.0.1:${port}`;
  await service.waitUntil(() => answersReady(url, web?.authorization), readyTimeoutMs);
  return {
    url,
    dataDir,
    stop: async () => {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** True if `<url>/-/ready` answers 200 (Prometheus and Alertmanager both serve it). */
export const answersReady = async (url: string, authorization?: string): Promise<boolean> => {
  const response = await fetch(`${url}/-/ready`, {
    signal: AbortSignal.timeout(1_000),
    ...(authorization ? { headers: { authorization } } : {}),
  });
  await response.body?.cancel();
  return response.status === 200;
};

/** True once `<url>/-/ready` answers 200. */
export const waitReady = (url: string, timeoutMs: number): Promise<boolean> =>
  pollUntil(() => answersReady(url), timeoutMs);

/** The Authorization header of HTTP basic auth. */
export const basicAuthorization = ({
  username,
  password,
}: {
  username: string;
  password: string;
}) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

export { terminate } from './service-process.ts';
