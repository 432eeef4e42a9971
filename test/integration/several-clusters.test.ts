import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEksTokenProvider,
  eksKubeConfig,
  loadKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { checkDrift } from '../../lib/app/check-drift.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { EventDetail } from '../../lib/domain/events.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { transition } from '../../lib/domain/transition.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import type { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { emulatedApplyDeps } from '../support/emulated-apply.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';
import { TEST_CREDENTIALS } from '../support/sigv4-check.ts';

// One deployment, two clusters: `east` reached as a kubeconfig context (endpoint, CA, token)
// and `west` as an EKS cluster (endpoint, CA and an IAM token minted in process), each an
// emulated API server. A rollout on each; then west stops answering.

const CREDENTIALS = TEST_CREDENTIALS;
const START = new Date('2030-01-01T12:00:00Z');
const TIMEOUT_MS = 800;

describe('several clusters from one deployment', () => {
  let east: KubeEmulator;
  let west: KubeEmulator;
  let deps: ApplyDeps;
  let bus: FakeEventBus;
  const specs = { east: seedSpec({}, 'east'), west: seedSpec({}, 'west') };
  const weightsIn = (emulator: KubeEmulator) =>
    currentWeights(
      emulator.read('networking.istio.io/v1', 'VirtualService', 'default', 'my-service') as never,
      specs.east.target,
    );

  beforeAll(async () => {
    const token = createEksTokenProvider({
      clusterName: 'eks-west',
      region: 'us-west-2',
      credentials: CREDENTIALS,
      now: () => START,
    });
    east = await startKubeEmulator();
    west = await startKubeEmulator({ token: await token() });
    for (const emulator of [east, west]) emulator.seed(seedVirtualService());
    ({ deps, bus } = await emulatedApplyDeps(undefined, {
      table: 'kanari-clusters',
      timeoutMs: TIMEOUT_MS,
      kubeConfigs: {
        east: loadKubeConfig({ kubeconfigPath: east.kubeconfigPath, context: 'sandbox' }),
        west: eksKubeConfig({
          name: 'west',
          endpoint: {
            server: west.url,
            caData: (await readFile(west.caFile)).toString('base64'),
          },
          tokenProvider: token,
        }),
      },
    }));
  });
  afterAll(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
  });

  it("applies each rollout's step in the cluster its target names", async () => {
    await startRollout(deps, specs.east, { type: 'scheduler' });
    await startRollout(deps, specs.west, { type: 'scheduler' });
    const steps = bus.drain().filter((e) => e.detailType === 'Step Promotion Requested');
    expect(steps.map((e) => (e.detail as EventDetail).rolloutId).sort()).toEqual([
      'east/default/my-service',
      'west/default/my-service',
    ]);
    for (const step of steps)
      expect(await applyDecision(deps, step.detail as EventDetail)).toMatchObject({
        outcome: 'applied',
      });
    expect(weightsIn(east)).toEqual({ primary: 90, canary: 10 });
    expect(weightsIn(west)).toEqual({ primary: 90, canary: 10 });
  });

  it('rolls back on one cluster while the other does not answer, and keeps the other pending', async () => {
    const rollback = async (id: string) => {
      const state = (await deps.store.get(id)) ?? expect.fail(`no ${id}`);
      const outcome = transition(
        state,
        { type: 'rollback', cause: { type: 'operator', actor: 'oncall', reason: 'test' } },
        { now: new Date(), decisionId: `rb-${id}` },
      );
      if (!outcome.ok) throw new Error(outcome.message);
      await deps.store.commit(outcome.state, [outcome.entry]);
      return outcome.events[0]?.detail as EventDetail;
    };
    const [toEast, toWest] = [
      await rollback('east/default/my-service'),
      await rollback('west/default/my-service'),
    ];
    west.injectFaults({ count: 100, timeout: true });
    let westSettled = false;
    const westApply = applyDecision(deps, toWest).finally(() => {
      westSettled = true;
    });
    // East's rollback lands while west's first request is still unanswered.
    expect(await applyDecision(deps, toEast)).toMatchObject({
      outcome: 'applied',
      phase: 'RolledBack',
    });
    expect(westSettled).toBe(false);
    expect(weightsIn(east)).toEqual({ primary: 100, canary: 0 });
    // West gives up on its own (its requests time out), and its decision stays pending.
    await expect(westApply).rejects.toThrow(/cluster "west".*did not answer in time/);
    expect((await deps.store.get('west/default/my-service'))?.pending?.decisionId).toBe(
      'rb-west/default/my-service',
    );
    west.clearFaults();
    expect(await applyDecision(deps, toWest)).toMatchObject({ outcome: 'applied' });
    expect(weightsIn(west)).toEqual({ primary: 100, canary: 0 });
  });

  it('drift-checks both clusters in one tick: the one that does not answer is unreadable, the other checked', async () => {
    // Two fresh rollouts with weights in place, one per cluster.
    for (const emulator of [east, west]) emulator.seed(seedVirtualService());
    for (const cluster of ['east', 'west'] as const) {
      const spec = { ...seedSpec({}, cluster), name: 'again' };
      await startRollout(deps, spec, { type: 'scheduler' });
    }
    for (const step of bus.drain().filter((e) => e.detailType === 'Step Promotion Requested'))
      await applyDecision(deps, step.detail as EventDetail);
    west.injectFaults({ count: 100, timeout: true });
    const outcomes = await checkDrift(deps);
    west.clearFaults();
    const byId = Object.fromEntries(outcomes.map((o) => [o.id, o.outcome]));
    expect(byId['east/default/again']).toBe('in-sync');
    expect(byId['west/default/again']).toBe('unreadable');
  });
});
