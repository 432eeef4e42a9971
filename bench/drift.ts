/**
 * npx tsx bench/drift.ts: what the drift check costs per tick, on this machine.
 *
 * DynamoDB Local and the Kubernetes API emulator, with the real adapters. Starts N rollouts,
 * one VirtualService each, applies their first step (10%), then times `checkDrift` ticks: all
 * in sync, then the tick that finds one VirtualService edited by hand (100/0) and pauses it.
 *
 * Options: --rollouts N (default 50), --ticks N (default 20). The last line of output is JSON.
 */
import { createDynamoRolloutStore } from '../lib/adapters/dynamodb/index.ts';
import { createKubernetesTrafficRouter, loadKubeConfig } from '../lib/adapters/kubernetes/index.ts';
import { type ApplyDeps, applyDecision } from '../lib/app/apply-decision.ts';
import { checkDrift } from '../lib/app/check-drift.ts';
import { startRollout } from '../lib/app/start-rollout.ts';
import { type KanariEvent, TRAFFIC_REQUESTS } from '../lib/domain/events.ts';
import { createTable, localDynamoClients, startDynamoDbLocal } from '../sandbox/dynamodb-local.ts';
import { startKubeEmulator } from '../sandbox/kube-emulator/index.ts';
import { fleetNames, fleetTarget, fleetVirtualService, option, say } from './fleet.ts';

const ROLLOUTS = option('rollouts', 50);
const TICKS = option('ticks', 20);
const names = fleetNames(ROLLOUTS);

const spec = (name: string) => ({
  name,
  target: fleetTarget(name),
  analysis: {
    interval: '10m',
    threshold: 2,
    stepWeights: [10, 50],
    progressDeadline: '30m',
    minSampleSize: 10,
    metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }],
  },
});

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};

const main = async () => {
  const dynamo = await startDynamoDbLocal();
  const emulator = await startKubeEmulator();
  try {
    const tableName = `kanari-bench-drift-${Date.now()}`;
    await createTable({ endpoint: dynamo.endpoint, tableName });
    const published: KanariEvent[] = [];
    let ids = 0;
    const deps: ApplyDeps = {
      store: createDynamoRolloutStore({
        client: localDynamoClients(dynamo.endpoint).dynamo,
        tableName,
      }),
      bus: { publish: async (events) => void published.push(...events) },
      now: () => new Date(),
      newId: () => `id-${++ids}`,
      router: createKubernetesTrafficRouter({
        kubeConfigs: {
          sandbox: loadKubeConfig({ kubeconfigPath: emulator.kubeconfigPath, context: 'sandbox' }),
        },
        timeoutMs: 5000,
      }),
    };
    say(`starting ${ROLLOUTS} rollouts`);
    for (const name of names) {
      emulator.seed(fleetVirtualService(name));
      await startRollout(deps, spec(name), { type: 'scheduler' });
    }
    for (const event of published.splice(0).filter((e) => TRAFFIC_REQUESTS.includes(e.detailType)))
      await applyDecision(deps, event.detail);

    const tick = async () => {
      const started = performance.now();
      const results = await checkDrift(deps);
      return { ms: performance.now() - started, results };
    };
    await tick(); // warm-up: connections, discovery
    const inSync: number[] = [];
    for (let i = 0; i < TICKS; i++) {
      const { ms, results } = await tick();
      if (results.some((r) => r.outcome !== 'in-sync'))
        throw new Error(
          `unexpected outcome: ${JSON.stringify(results.find((r) => r.outcome !== 'in-sync'))}`,
        );
      inSync.push(ms);
    }
    const edited = names[0] as string;
    const ref = { cluster: 'sandbox', namespace: 'default', name: edited };
    const vs = await deps.router.getVirtualService(ref);
    await deps.router.patchVirtualService(ref, vs.metadata.resourceVersion ?? '', [
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 100 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 0 },
    ]);
    const found = await tick();
    const drift = found.results.filter((r) => r.outcome === 'drift');
    if (drift.length !== 1) throw new Error(`expected one drift, got ${JSON.stringify(drift)}`);
    const figures = {
      rollouts: ROLLOUTS,
      ticks: TICKS,
      tickP50Ms: Math.round(quantile(inSync, 0.5)),
      tickP99Ms: Math.round(quantile(inSync, 0.99)),
      perRolloutP50Ms: Number((quantile(inSync, 0.5) / ROLLOUTS).toFixed(2)),
      tickFindingOneDriftMs: Math.round(found.ms),
    };
    say(
      `drift check over ${ROLLOUTS} in-flight rollouts: p50 ${figures.tickP50Ms} ms, p99 ${figures.tickP99Ms} ms per tick; the tick that found and paused one drift: ${figures.tickFindingOneDriftMs} ms`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await emulator.stop();
    await dynamo.stop();
  }
};

await main();
