import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { onFreePort } from './free-port.ts';
import { answersReady, findBinary, PrometheusMissingError } from './prometheus.ts';
import { superviseProcess } from './service-process.ts';

const READY_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;

/** Where Alertmanager posts, and the bearer token it sends (`http_config.authorization`). */
export interface AlertmanagerWebhook {
  url: string;
  token: string;
}

export interface RunningAlertmanager {
  url: string;
  /** Points the receiver at a webhook (rewrites the config and reloads it). */
  setWebhook(webhook: AlertmanagerWebhook): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Short timings so that a firing alert reaches kanari within a second or two: the first
 * notification after `group_wait`, changes after `group_interval`.
 */
const renderConfig = (webhook?: AlertmanagerWebhook): string =>
  stringify({
    route: {
      receiver: 'kanari',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1m',
    },
    receivers: [
      {
        name: 'kanari',
        // No webhook yet: a receiver without configs drops what it gets.
        ...(webhook && {
          webhook_configs: [
            {
              url: webhook.url,
              send_resolved: true,
              http_config: { authorization: { type: 'Bearer', credentials: webhook.token } },
            },
          ],
        }),
      },
    ],
  });

/**
 * Starts the real Alertmanager (Debian's prometheus-alertmanager) on a free 127.0.0.1 port,
 * clustering off, with a throwaway storage dir; resolves once `/-/ready` answers.
 */
export async function startAlertmanager(
  options: { webhook?: AlertmanagerWebhook; binary?: string } = {},
): Promise<RunningAlertmanager> {
  const binary = options.binary ?? findBinary('prometheus-alertmanager');
  if (!binary) throw new PrometheusMissingError('prometheus-alertmanager');
  const dir = await mkdtemp(join(tmpdir(), 'kanari-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  // The file holds the bearer token: readable by us alone.
  const writeConfig = (webhook?: AlertmanagerWebhook) =>
    writeFile(configFile, renderConfig(webhook), { mode: 0o600 });
  try {
    await writeConfig(options.webhook);
    const { url, stop } = await onFreePort(
      (port) => launch(binary, port, dir, configFile),
      PORT_ATTEMPTS,
    );
    return {
      url,
      async setWebhook(webhook) {
        await writeConfig(webhook);
        const response = await fetch(`${url}/-/reload`, { method: 'POST' });
        if (!response.ok)
          throw new Error(`Alertmanager refused its new config: ${await response.text()}`);
      },
      async stop() {
        await stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

const launch = async (binary: string, port: number, dir: string, configFile: string) => {
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip port, no peers; a single local instance.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const service = superviseProcess(child, { name: 'Alertmanager' });
  const url = `http://127.0.0.1:${port}`;
  await service.waitUntil(() => answersReady(url), READY_TIMEOUT_MS);
  return { url, stop: service.stop };
};
