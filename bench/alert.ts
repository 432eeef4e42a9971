/**
 * npm run bench:alert: how fast an alert rolls a canary back, on this machine.
 *
 * The local stack runs the real handlers under `osls offline` against DynamoDB Local and the
 * Kubernetes API emulator. Each round starts one rollout per VirtualService (svc-00, svc-01,
 * ...), waits until each is in flight at its first step (10%), then sends one Alertmanager
 * webhook delivery per rollout, one after another. Every delivery is a real rollback: the alerts
 * function records the decision, EventBridge routes it, shift-traffic patches the
 * VirtualService and records RolledBack. Times are taken in this process, from just before
 * the request is sent to the emulator sending its PATCH response (`p50Ms`, `p99Ms`), and to
 * DynamoDB acknowledging the RolledBack write (via a pass-through proxy).
 *
 * Options: --rollouts N (per round, default 25), --rounds N (default 8), --gap-ms N (pause
 * after each rollback, default 25).
 * The last line of output is JSON.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '../cli/api-client.ts';
import { createDynamoRolloutStore } from '../lib/adapters/dynamodb/index.ts';
import type { RolloutState } from '../lib/domain/state.ts';
import { createTable, localDynamoClients, startDynamoDbLocal } from '../sandbox/dynamodb-local.ts';
import { startKubeEmulator } from '../sandbox/kube-emulator/index.ts';
import { startOffline } from '../sandbox/offline.ts';
import { localFunctionEnv } from '../sandbox/stack.ts';
import { fleetNames, fleetTarget, fleetVirtualService, option, say } from './fleet.ts';
import { startTimingProxy } from './timing-proxy.ts';

const ROLLOUTS = option('rollouts', 25);
const ROUNDS = option('rounds', 8);
const GAP_MS = option('gap-ms', 25);
/** Rollouts started at once between rounds (each concurrent call costs a worker thread). */
const START_CONCURRENCY = 4;
/** The contrast: a scheduler judging every minute (Flagger's default interval; kanari's too). */
const SCHEDULE_INTERVAL_MS = 60_000;
const WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const names = fleetNames(ROLLOUTS);

const spec = (name: string) => ({
  name,
  target: fleetTarget(name),
  // No analysis runs during the benchmark: only the alert can move these rollouts.
  analysis: {
    interval: '10m',
    stepWeights: [10, 50],
    metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }],
  },
  alerts: { matchers: [{ labels: { alertname: 'CanaryHighErrorRate', rollout: name } }] },
});

const delivery = (name: string, round: number) =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="CanaryHighErrorRate", rollout="${name}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'kanari',
    groupLabels: { alertname: 'CanaryHighErrorRate' },
    commonLabels: { alertname: 'CanaryHighErrorRate', rollout: name, severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'CanaryHighErrorRate', rollout: name, severity: 'critical' },
        annotations: {},
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:9090/graph',
        fingerprint: `${name}-${round}`,
      },
    ],
  });

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
};
const round1 = (ms: number) => Math.round(ms * 10) / 10;

const waitFor = async (what: string, check: () => Promise<boolean> | boolean, pollMs = 2) => {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
};

const main = async () => {
  const workDir = await mkdtemp(join(tmpdir(), 'kanari-bench-alert-'));
  const stops: (() => Promise<void>)[] = [];
  const patchedAt = new Map<string, number[]>();
  const rolledBackAt = new Map<string, number[]>();
  try {
    say('starting DynamoDB Local, the emulator and osls offline');
    const dynamo = await startDynamoDbLocal();
    stops.push(dynamo.stop);
    const tableName = 'kanari-bench';
    await createTable({ endpoint: dynamo.endpoint, tableName });
    const proxy = await startTimingProxy({
      upstream: dynamo.endpoint,
      phase: 'RolledBack',
      onCommitted: (id, at) => rolledBackAt.set(id, [...(rolledBackAt.get(id) ?? []), at]),
    });
    stops.push(proxy.stop);
    const emulator = await startKubeEmulator({
      onResponse: ({ method, url, status }) => {
        if (method !== 'PATCH' || status !== 200) return;
        const name = new URL(url, 'https://x').pathname.split('/').at(-1) ?? '';
        patchedAt.set(name, [...(patchedAt.get(name) ?? []), performance.now()]);
      },
    });
    stops.push(emulator.stop);
    for (const name of names) emulator.seed(fleetVirtualService(name));

    const apiToken = randomBytes(16).toString('hex');
    const alertToken = randomBytes(16).toString('hex');
    const offline = await startOffline({
      logFile: join(workDir, 'offline.log'),
      env: {
        // The functions reach DynamoDB through the proxy, which times the RolledBack writes.
        ...localFunctionEnv({
          dynamoEndpoint: proxy.endpoint,
          tableName,
          eventBus: 'kanari-bench',
          kubeconfigPath: emulator.kubeconfigPath,
          apiTokens: `bench=${apiToken}`,
        }),
        KANARI_ALERT_SOURCES: JSON.stringify({
          alertmanager: {
            type: 'alertmanager',
            auth: 'bearer',
            secretEnv: 'KANARI_BENCH_ALERT_TOKEN',
          },
        }),
        KANARI_BENCH_ALERT_TOKEN: alertToken,
      },
    });
    stops.push(offline.stop);
    const api = createApiClient({ url: offline.httpUrl, token: apiToken });
    const store = createDynamoRolloutStore({
      client: localDynamoClients(dynamo.endpoint).dynamo,
      tableName,
    });
    const states = async (): Promise<RolloutState[]> => store.list({ cluster: 'sandbox' });

    const toPatch: number[] = [];
    const toLedger: number[] = [];
    const toAck: number[] = [];
    const after = (times: number[] | undefined, t0: number) => times?.find((t) => t >= t0);
    // Round 0 warms the functions up (first loads, worker threads) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (let i = 0; i < names.length; i += START_CONCURRENCY)
        await Promise.all(
          names.slice(i, i + START_CONCURRENCY).map((name) => api.createRollout(spec(name))),
        );
      await waitFor(
        'rollouts in flight at 10%',
        async () => {
          const all = await states();
          return (
            all.length === ROLLOUTS && all.every((s) => s.phase === 'Progressing' && !s.pending)
          );
        },
        50,
      );
      const deliveries: { name: string; started: number; acked: number }[] = [];
      // One delivery at a time, as alerts for different rollouts usually come: each is timed on
      // its own, not behind others queued for the same few worker threads on this machine.
      for (const name of names) {
        const started = performance.now();
        const response = await fetch(`${offline.httpUrl}/alerts/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${alertToken}` },
          body: delivery(name, round),
        });
        const body = await response.text();
        if (response.status !== 200)
          throw new Error(`delivery answered ${response.status}: ${body}`);
        deliveries.push({ name, started, acked: performance.now() });
        await waitFor(
          `the rollback of ${name}`,
          () => after(rolledBackAt.get(`sandbox/default/${name}`), started) !== undefined,
        );
        await sleep(GAP_MS);
      }
      if (round === 0) continue;
      for (const { name, started, acked } of deliveries) {
        const patched = after(patchedAt.get(name), started);
        const recorded = after(rolledBackAt.get(`sandbox/default/${name}`), started);
        if (patched === undefined || recorded === undefined)
          throw new Error(`${name}: no rollback seen`);
        toPatch.push(patched - started);
        toLedger.push(recorded - started);
        toAck.push(acked - started);
      }
      const phases = new Set((await states()).map((s) => s.phase));
      if (phases.size !== 1 || !phases.has('RolledBack'))
        throw new Error(`round ${round}: ${[...phases]}`);
      say(
        `round ${round}/${ROUNDS}: ${deliveries.length} rollbacks, PATCH p50 ${round1(percentile(toPatch.slice(-ROLLOUTS), 0.5))} ms`,
      );
    }

    const figures = {
      deliveries: toPatch.length,
      p50Ms: round1(percentile(toPatch, 0.5)),
      p99Ms: round1(percentile(toPatch, 0.99)),
      maxMs: round1(Math.max(...toPatch)),
      ledgerP50Ms: round1(percentile(toLedger, 0.5)),
      ledgerP99Ms: round1(percentile(toLedger, 0.99)),
      webhookAckP50Ms: round1(percentile(toAck, 0.5)),
      webhookAckP99Ms: round1(percentile(toAck, 0.99)),
      // The scheduled path waits for the next tick: a canary going bad at a random moment waits
      // U(0, interval) for it, even when one failed check is enough (threshold 1), and then
      // takes the same apply path. Each extra check of the threshold adds a whole interval.
      scheduled: {
        intervalMs: SCHEDULE_INTERVAL_MS,
        threshold: 1,
        p50Ms: round1(0.5 * SCHEDULE_INTERVAL_MS + percentile(toPatch, 0.5)),
        p99Ms: round1(0.99 * SCHEDULE_INTERVAL_MS + percentile(toPatch, 0.99)),
      },
    };
    say(
      `alert → PATCH: p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms; alert → ledger RolledBack: p50 ${figures.ledgerP50Ms} ms, p99 ${figures.ledgerP99Ms} ms`,
    );
    say(
      `scheduled path (1m ticks, threshold 1): p50 ${figures.scheduled.p50Ms} ms, p99 ${figures.scheduled.p99Ms} ms`,
    );
    console.log(JSON.stringify(figures));
  } catch (error) {
    const log = await readFile(join(workDir, 'offline.log'), 'utf8').catch(() => '');
    say(`osls offline's last output:\n${log.slice(-3000)}`);
    throw error;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(workDir, { recursive: true, force: true });
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
