import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';

const INSTALL_HINT = 'apt-get update && apt-get install -y prometheus prometheus-alertmanager';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_CHARS = 4_000;
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
    await writeFile(configFile, renderConfig(options));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await launch(binary, port, dataDir, configFile, options.readyTimeoutMs);
      } catch (error) {
        // Another process may take the port between freePort() and Prometheus binding it.
        const portTaken = String((error as Error).message).includes('address already in use');
        if (!portTaken || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
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
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => resolve(`failed to start: ${error.message}`));
  });
  // Do not leave an orphan Prometheus behind if the test runner dies.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited);
    await rm(dataDir, { recursive: true, force: true });
  };

  const outcome = await Promise.race([
    waitReady(url, readyTimeoutMs).then((ready) => (ready ? 'ready' : 'timed out')),
    exited,
  ]);
  if (outcome === 'ready') return { url, dataDir, stop };
  process.removeListener('exit', killOnExit);
  await terminate(child, exited);
  throw new Error(
    `Prometheus ${outcome === 'timed out' ? `was not ready within ${readyTimeoutMs} ms` : outcome}; stderr:\n${stderr.trim()}`,
  );
};

/** True once `<url>/-/ready` answers 200 (Prometheus and Alertmanager both serve it). */
export const waitReady = async (url: string, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
};

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export const terminate = async (child: ChildProcess, exited: Promise<string>): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const grace = new Promise<'late'>((resolve) =>
    setTimeout(resolve, STOP_GRACE_MS, 'late').unref(),
  );
  if ((await Promise.race([exited, grace])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
