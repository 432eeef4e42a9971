import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { rolloutPK, STATE_SK } from '../../lib/adapters/dynamodb/keys.ts';
import {
  createKubernetesTrafficRouter,
  loadKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { check, settledViolations } from '../support/model-invariants.ts';
import {
  type Cluster,
  fakeCluster,
  faultSpec,
  KUBE_LATE_MS,
  KUBE_TIMEOUT_MS,
  type KubeFault,
  type Metrics,
  type Stats,
  World,
} from '../support/model-world.ts';

// Model-based test of the traffic path (issue 10): schedules of ticks, deliveries (in order,
// reordered, duplicated, concurrent, dropped), operator actions, alerts, Kubernetes faults,
// DynamoDB throttling and actions racing inside shift-traffic, run on the real use cases. The
// design's invariants are checked after every command and, after a drain, once more.

type Model = Record<string, never>;
type Act = (world: World) => Promise<void>;

/** One step of a schedule; its toString is what a shrunk counterexample prints. */
class Step implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly label: string,
    readonly act: Act,
  ) {}
  check = () => true;
  async run(_model: Model, world: World): Promise<void> {
    world.stats.commands++;
    await this.act(world);
    world.collect();
    const found = await check(world);
    if (found.length > 0) throw new Error(`after ${this.label}:\n${found.join('\n')}`);
  }
  toString = () => this.label;
}

const rolloutOf = (world: World, index: number) =>
  world.rollouts[index % world.rollouts.length] ?? world.rollouts[0];

const OPERATOR = [
  'pause',
  'resume',
  'rollback',
  'promote',
  'promote-full',
  'abort',
  'finalize',
] as const;
/** What can happen to a rollout while shift-traffic applies one of its decisions. */
const RACING = [...OPERATOR, 'alert-rollback', 'alert-pause'] as const;
type Racing = (typeof RACING)[number];

const act = (world: World, index: number, action: Racing): Promise<void> => {
  const rollout = rolloutOf(world, index);
  if (!rollout) return Promise.resolve();
  if (action === 'alert-rollback') return world.alert(rollout, 'rollback', false);
  if (action === 'alert-pause') return world.alert(rollout, 'pause', false);
  return world.operator(rollout, action);
};

const tick = fc
  .constantFrom(15_000, 35_000, 60_000, 120_000)
  .map((ms) => new Step(`tick(+${ms / 1000}s)`, (w) => w.tick(ms)));

const DELIVERY = ['next', 'pick', 'duplicate', 'parallel', 'drop'] as const;
const deliver = fc.record({ mode: fc.constantFrom(...DELIVERY), pick: fc.nat(5) }).map(
  ({ mode, pick }) =>
    new Step(`deliver(${mode}${mode === 'next' ? '' : ` #${pick}`})`, async (w) => {
      const at = mode === 'next' ? 0 : pick % Math.max(1, w.outstanding.length);
      const [request] = w.outstanding.splice(at, 1);
      if (!request || mode === 'drop') return;
      if (mode === 'parallel') await Promise.all([w.deliver(request), w.deliver(request)]);
      else await w.deliver(request);
      if (mode === 'duplicate') await w.deliver(request);
    }),
);

const operator = fc
  .record({ r: fc.nat(2), action: fc.constantFrom(...OPERATOR) })
  .map(({ r, action }) => new Step(`${action}(r${r})`, (w) => act(w, r, action)));

const alert = fc
  .record({
    r: fc.nat(2),
    action: fc.constantFrom('rollback' as const, 'pause' as const),
    stale: fc.boolean(),
  })
  .map(
    ({ r, action, stale }) =>
      new Step(`alert-${action}(r${r}${stale ? ', stale' : ''})`, async (w) => {
        const rollout = rolloutOf(w, r);
        if (rollout) await w.alert(rollout, action, stale);
      }),
  );

const kubeFault = fc
  .record({
    fault: fc.constantFrom<KubeFault>('409', '500', 'timeout', 'late'),
    count: fc.integer({ min: 1, max: 2 }),
    method: fc.constantFrom('GET' as const, 'PATCH' as const, undefined),
  })
  .map(
    ({ fault, count, method }) =>
      new Step(`kube-${fault}(x${count}${method ? ` ${method}` : ''})`, async (w) => {
        w.stats.faults++;
        w.cluster.inject(fault, count, method);
      }),
  );

const throttle = fc.nat(5).map(
  (skip) =>
    new Step(`throttle(after ${skip} calls)`, async (w) => {
      w.stats.faults++;
      w.throttleIn = skip;
    }),
);

const metrics = fc
  .record({ r: fc.nat(2), mode: fc.constantFrom<Metrics>('healthy', 'failing', 'nodata') })
  .map(
    ({ r, mode }) =>
      new Step(`metrics(r${r} ${mode})`, async (w) => {
        const rollout = rolloutOf(w, r);
        if (rollout) rollout.metrics = mode;
      }),
  );

/** shift-traffic applies a request while an action on its rollout lands before its claim or its PATCH. */
const race = fc
  .record({
    pick: fc.nat(5),
    at: fc.constantFrom('claim' as const, 'patch' as const),
    action: fc.constantFrom(...RACING),
  })
  .map(
    ({ pick, at, action }) =>
      new Step(`race(#${pick}, ${action} before ${at})`, async (w) => {
        const [request] = w.outstanding.splice(pick % Math.max(1, w.outstanding.length), 1);
        if (!request) return;
        const index = w.rollouts.findIndex((r) => r.id === request.detail.rolloutId);
        const hook = () => act(w, index, action);
        if (at === 'claim') w.hooks.beforeClaim = hook;
        else w.hooks.beforePatch = hook;
        await w.deliver(request);
        w.hooks.beforeClaim = undefined;
        w.hooks.beforePatch = undefined;
      }),
  );

const schedules = fc.record({
  rollouts: fc.integer({ min: 2, max: 3 }),
  steps: fc.commands(
    [tick, tick, deliver, deliver, operator, alert, kubeFault, throttle, metrics, race],
    { maxCommands: 12, size: 'max' },
  ),
});

interface Harness {
  stats: Stats;
  /** A world for schedule n, its rollouts started. */
  world(n: number, rollouts: number): Promise<World>;
  /** Forgets a finished schedule's rollouts, so that later ones do not see them. */
  forget(world: World): Promise<void>;
}

const newStats = (): Stats => ({
  schedules: 0,
  commands: 0,
  faults: 0,
  failedInvocations: 0,
});

/** Runs the schedules and prints the summary line; throws fast-check's report on a violation. */
const runSchedules = async (harness: Harness, numRuns: number, label: string) => {
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(schedules, async ({ rollouts, steps }) => {
      const world = await harness.world(harness.stats.schedules++, rollouts);
      try {
        await fc.asyncModelRun(() => ({ model: {}, real: world }), steps);
        await world.drain();
        const found = [...(await check(world)), ...(await check(world, settledViolations))];
        if (found.length > 0) throw new Error(`after the drain:\n${found.join('\n')}`);
      } finally {
        await harness.forget(world);
      }
    }),
    { numRuns, seed: 20_260_110 },
  );
  const { schedules: n, commands, faults, failedInvocations } = harness.stats;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `model-based: ${n} schedules, ${commands} commands, ${faults} faults injected in ${seconds} s (${label}; ${failedInvocations} failed invocations retried)`,
  );
};

describe('model-based: the traffic path under reordering, duplicates, losses and faults', () => {
  it('keeps the invariants in 1000 schedules on the in-memory store and router', async () => {
    const stats = newStats();
    const harness: Harness = {
      stats,
      async world(n, rollouts) {
        const world = new World(
          createInMemoryRolloutStore(),
          fakeCluster(),
          `m${n}`,
          rollouts,
          stats,
        );
        await world.start();
        return world;
      },
      forget: async () => {},
    };
    await runSchedules(harness, 1000, 'in memory');
  });

  describe('on DynamoDB Local and the Kubernetes API emulator', () => {
    let emulator: KubeEmulator;
    let clients: ReturnType<typeof localDynamoClients>;
    let store: RolloutStore;
    const tableName = `kanari-model-${Date.now()}`;

    beforeAll(async () => {
      emulator = await startKubeEmulator();
      const endpoint = inject('dynamoEndpoint');
      await createTable({ endpoint, tableName });
      clients = localDynamoClients(endpoint);
      store = createDynamoRolloutStore({ client: clients.dynamo, tableName });
    });
    afterAll(async () => {
      clients?.client.destroy();
      await emulator?.stop();
    });

    const emulatorCluster = (): Cluster => ({
      router: createKubernetesTrafficRouter({
        kubeConfigs: {
          sandbox: loadKubeConfig({ kubeconfigPath: emulator.kubeconfigPath, context: 'sandbox' }),
        },
        timeoutMs: KUBE_TIMEOUT_MS,
      }),
      seed: (vs) => emulator.seed(vs),
      read: (ref) =>
        emulator.read(
          'networking.istio.io/v1',
          'VirtualService',
          ref.namespace,
          ref.name,
        ) as VirtualService,
      inject: (fault, count, method) => emulator.injectFaults(faultSpec(fault, count, method)),
      clearFaults: () => emulator.clearFaults(),
    });

    /** A `late` PATCH lands after the client gave up: wait for it before the next command. */
    const settle = async (error: unknown) => {
      if (error instanceof Error && /did not answer in time/.test(error.message))
        await sleep(KUBE_LATE_MS - KUBE_TIMEOUT_MS + 50);
    };

    it('keeps the invariants in 200 schedules', async () => {
      const stats = newStats();
      const cluster = emulatorCluster();
      const harness: Harness = {
        stats,
        async world(n, rollouts) {
          const world = new World(store, cluster, `d${n}`, rollouts, stats, settle);
          await world.start();
          return world;
        },
        async forget(world) {
          for (const rollout of world.rollouts)
            await clients.doc.send(
              new DeleteCommand({
                TableName: tableName,
                Key: { PK: rolloutPK(rollout.id), SK: STATE_SK },
              }),
            );
        },
      };
      await runSchedules(harness, 200, 'DynamoDB Local + emulator');
    });
  });
});
