import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';
import { QUIET_NODE_ENV } from './node-warnings.ts';
import { superviseProcess } from './service-process.ts';

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
        ...QUIET_NODE_ENV,
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
  const service = superviseProcess(child, {
    name: `serverless-offline (see ${options.logFile})`,
    tailChars: 8_000,
    // 'exit' can come before the last output: stop() may have ended the log already.
    onOutput: (chunk) => {
      if (!log.writableEnded) log.write(chunk);
    },
  });
  const stop = async () => {
    await service.stop();
    log.end();
  };
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  try {
    await service.waitUntil(
      async () =>
        service.output().includes('Server ready') &&
        (await fetch(`${httpUrl}/rollouts`)).status > 0,
      120_000,
      250,
    );
  } catch (error) {
    log.end();
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
