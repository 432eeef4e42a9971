import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OSLS = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const SERVICE = 'kanari';
const STAGE = 'dev';

/** The functions of serverless.yml running under serverless-offline, events routed by their real patterns. */
export interface Offline {
  httpUrl: string;
  eventBridgeUrl: string;
  /** Invokes a function through serverless-offline's Lambda API and returns its result. */
  invoke(fn: string, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

const waitFor = async (
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what()}`);
};

/**
 * Starts `osls offline start` (serverless-offline with serverless-esbuild and
 * serverless-offline-aws-eventbridge) with `env` passed to the functions.
 */
export const startOffline = async (options: {
  env: Record<string, string>;
  logFile: string;
}): Promise<Offline> => {
  const [httpPort, lambdaPort, eventBridgePort, pubSubPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const eventBridgeUrl = `http://127.0.0.1:${eventBridgePort}`;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    process.execPath,
    [OSLS, 'offline', 'start', '--stage', STAGE],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.env,
        KANARI_HTTP_PORT: String(httpPort),
        KANARI_LAMBDA_PORT: String(lambdaPort),
        KANARI_EVENTBRIDGE_PORT: String(eventBridgePort),
        KANARI_EVENTBRIDGE_PUBSUB_PORT: String(pubSubPort),
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeUrl,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    },
  );
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-8000);
      // 'exit' can come before the last output: stop() may have ended the log already.
      if (!log.writableEnded) log.write(chunk);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    log.end();
  };
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error('exited');
        return output.includes('Server ready') && (await fetch(`${httpUrl}/rollouts`)).status > 0;
      },
      120_000,
      () => `serverless-offline to start (see ${options.logFile}):\n${output.slice(-2000)}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    httpUrl,
    eventBridgeUrl,
    async invoke(fn, event) {
      const response = await fetch(
        `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${SERVICE}-${STAGE}-${fn}/invocations`,
        {
          method: 'POST',
          body: JSON.stringify(event),
        },
      );
      const text = await response.text();
      if (!response.ok || response.headers.get('x-amz-function-error')) {
        throw new Error(`invoking ${fn} failed (${response.status}): ${text.slice(0, 500)}`);
      }
      return text ? JSON.parse(text) : undefined;
    },
    stop,
  };
};
