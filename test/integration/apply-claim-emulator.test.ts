import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { operatorAction } from '../../lib/app/operator-action.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { EventDetail } from '../../lib/domain/events.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { storedSeedVirtualService } from '../../sandbox/stack.ts';
import type { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { emulatedApplyDeps } from '../support/emulated-apply.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

// The set-up: every PATCH slowed by 1.5 s, a promote, and 0.8 s later a rollback or a
// pause. Over the real Kubernetes adapter, the emulator and DynamoDB Local.

const ID = 'sandbox/default/my-service';
const why = { actor: 'alice', reason: 'slow PATCH' };

describe('an operator action while a slow PATCH is in flight', () => {
  let emulator: KubeEmulator;
  let deps: ApplyDeps;
  let bus: FakeEventBus;
  const spec = seedSpec();
  const canary = () => currentWeights(storedSeedVirtualService(emulator), spec.target).canary;

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    ({ deps, bus } = await emulatedApplyDeps(emulator, { table: 'kanari-claim', timeoutMs: 5000 }));
  });
  afterAll(() => emulator?.stop());

  const requested = (): EventDetail => {
    const found = bus.drain().filter((e) => e.detail.targetWeight !== undefined);
    return found.at(-1)?.detail ?? expect.fail('no traffic request');
  };

  /** A rollout at 90/10 with a promote to 20% requested. */
  const atFirstStep = async () => {
    emulator.clearFaults();
    emulator.seed(seedVirtualService());
    await startRollout(deps, spec, { type: 'scheduler' });
    await applyDecision(deps, requested());
    await operatorAction(deps, ID, 'promote', why);
    return requested();
  };

  /** The canary weight every 20 ms until `done` settles. */
  const watch = (done: Promise<unknown>) => {
    const seen: { at: number; canary: number }[] = [];
    let settled = false;
    void done.finally(() => {
      settled = true;
    });
    const polling = (async () => {
      while (!settled) {
        seen.push({ at: Date.now(), canary: canary() });
        await sleep(20);
      }
      seen.push({ at: Date.now(), canary: canary() });
      return seen;
    })();
    return polling;
  };

  it('a rollback: the canary ends at 0 and never rises once the rollback is applied', async () => {
    const step = await atFirstStep();
    emulator.injectFaults({ count: 3, delayMs: 1500, methods: ['PATCH'] });
    const stepping = applyDecision(deps, step);
    await sleep(800);
    await operatorAction(deps, ID, 'rollback', why);
    const acceptedAt = Date.now();
    const rollingBack = applyDecision(deps, requested());
    const both = Promise.all([stepping, rollingBack]);
    const seen = await watch(both);
    const [stepOutcome, rollbackOutcome] = await both;
    expect(rollbackOutcome).toMatchObject({ outcome: 'applied', phase: 'RolledBack' });
    expect(canary()).toBe(0);
    expect((await deps.store.get(ID))?.canaryWeight).toBe(0);
    // Once the weight reached 0 after the rollback, it never rose again.
    const afterAccept = seen.filter((s) => s.at >= acceptedAt);
    const firstZero = afterAccept.findIndex((s) => s.canary === 0);
    expect(firstZero).toBeGreaterThanOrEqual(0);
    expect(afterAccept.slice(firstZero).every((s) => s.canary === 0)).toBe(true);
    // The ledger says what landed, in order: the claimed step if it landed, then the rollback.
    const { entries } = await deps.store.ledger(ID);
    const accepted = entries.find((e) => e.kind === 'action' && e.decision?.action === 'rollback');
    expect(accepted?.message).toMatch(
      /the step to 20% was already being applied and may land first/,
    );
    const landed = entries
      .filter((e) => e.kind === 'applied')
      .map((e) => e.applied?.weights.canary);
    const stepLanded = stepOutcome.outcome === 'applied';
    expect(landed).toEqual(stepLanded ? [10, 20, 0] : [10, 0]);
    expect(seen.some((s) => s.canary === 20)).toBe(stepLanded);
  });

  it('a pause: the paused state says the weights the VirtualService has', async () => {
    const step = await atFirstStep();
    emulator.injectFaults({ count: 1, delayMs: 1500, methods: ['PATCH'] });
    const stepping = applyDecision(deps, step);
    await sleep(800);
    await operatorAction(deps, ID, 'pause', why);
    expect(await stepping).toMatchObject({ outcome: 'applied', phase: 'Paused' });
    const state = await deps.store.get(ID);
    expect(state).toMatchObject({ phase: 'Paused', canaryWeight: canary() });
    expect(canary()).toBe(20);
  });
});
