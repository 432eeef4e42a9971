import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import {
  createKubernetesTrafficRouter,
  loadKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import {
  createTable,
  type DynamoDbLocal,
  localDynamoClients,
  startDynamoDbLocal,
} from '../../sandbox/dynamodb-local.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { storedSeedVirtualService } from '../../sandbox/stack.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

// DynamoDB Local on disk, killed with SIGKILL mid-rollout and started again on the same files
// and port: every decision it acknowledged is still there, and the rollout finishes.

describe('DynamoDB killed and restarted mid-rollout', () => {
  let dir: string;
  let dynamo: DynamoDbLocal;
  let emulator: KubeEmulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kanari-dynamodb-'));
    dynamo = await startDynamoDbLocal({ dbPath: dir });
    emulator = await startKubeEmulator();
    emulator.seed(seedVirtualService());
  });
  afterAll(async () => {
    await dynamo?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no decision, and the rollout goes on to Succeeded', async () => {
    const tableName = 'kanari-restart';
    await createTable({ endpoint: dynamo.endpoint, tableName });
    const { client, dynamo: items } = localDynamoClients(dynamo.endpoint);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    let ids = 0;
    const bus = new FakeEventBus();
    const core = {
      store: createDynamoRolloutStore({ client: items, tableName }),
      bus,
      now: () => new Date(clock),
      newId: () => `decision-${++ids}`,
    };
    const router = createKubernetesTrafficRouter({
      kubeConfigs: {
        sandbox: loadKubeConfig({ kubeconfigPath: emulator.kubeconfigPath, context: 'sandbox' }),
      },
      timeoutMs: 2_000,
    });
    const apply: ApplyDeps = { ...core, router };
    const healthy = FakeMetricsProvider.perWorkload((query) =>
      query.startsWith('histogram') ? 200 : query.startsWith('sum(increase') ? 1000 : 100,
    );
    const analyze: AnalyzeDeps = { ...core, metricsFor: () => healthy };
    const id = 'sandbox/default/my-service';
    const spec = seedSpec();
    const deliver = async () => {
      for (const event of bus.drain())
        if (event.detail.targetWeight !== undefined) await applyDecision(apply, event.detail);
    };

    await startRollout(core, spec, { type: 'scheduler' });
    await deliver();
    let killed = false;
    for (let tick = 0; tick < 12; tick++) {
      clock += 60_000;
      await analyzeDue(analyze);
      const state = await core.store.get(id);
      if (!killed && state?.pending?.targetWeight === 30) {
        // The step to 30% is decided and acknowledged; its event is on the bus. Crash now.
        killed = true;
        const decided = state.pending.decisionId;
        await dynamo.kill();
        clock += 60_000;
        await expect(analyzeDue(analyze)).rejects.toThrow();
        dynamo = await startDynamoDbLocal({
          dbPath: dir,
          port: Number(new URL(dynamo.endpoint).port),
        });
        expect((await core.store.get(id))?.pending?.decisionId).toBe(decided);
      }
      await deliver();
      if ((await core.store.get(id))?.phase === 'Succeeded') break;
    }
    expect(killed).toBe(true);
    const final = await core.store.get(id);
    expect(final).toMatchObject({ phase: 'Succeeded', canaryWeight: 100 });
    expect(currentWeights(storedSeedVirtualService(emulator), spec.target)).toEqual({
      primary: 0,
      canary: 100,
    });
    const { entries } = await core.store.ledger(id, { limit: 1000 });
    const applied = entries
      .filter((e) => e.kind === 'applied')
      .map((e) => e.applied?.weights.canary);
    expect(applied).toEqual([10, 20, 30, 40, 50, 100]);
    client.destroy();
  });
});
