import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { storedSeedVirtualService } from '../../sandbox/stack.ts';
import type { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { emulatedApplyDeps } from '../support/emulated-apply.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

describe('shift-traffic against the emulated Kubernetes API and DynamoDB Local', () => {
  let emulator: KubeEmulator;
  let deps: ApplyDeps;
  let bus: FakeEventBus;
  const spec = seedSpec();
  const stored = () => storedSeedVirtualService(emulator);

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    ({ deps, bus } = await emulatedApplyDeps(emulator, { table: 'kanari-apply', timeoutMs: 2000 }));
  });
  afterAll(() => emulator?.stop());

  it('re-reads and applies after a 409 from the API server, recording the patch once', async () => {
    emulator.seed(seedVirtualService());
    await startRollout(deps, spec, { type: 'scheduler' });
    const step = bus.drain().find((e) => e.detailType === 'Step Promotion Requested');
    emulator.injectFaults({ count: 1, status: 409, methods: ['PATCH'] });
    const result = await applyDecision(deps, step?.detail ?? expect.fail('no step'));
    expect(result).toMatchObject({ outcome: 'applied', weights: { primary: 90, canary: 10 } });
    expect(currentWeights(stored(), spec.target)).toEqual({ primary: 90, canary: 10 });
    const { entries } = await deps.store.ledger('sandbox/default/my-service');
    const applied = entries.filter((e) => e.kind === 'applied');
    expect(applied).toHaveLength(1);
    expect(applied[0]?.applied?.resourceVersion).toBe(stored().metadata.resourceVersion);
    expect(bus.of('Traffic Shifted')).toHaveLength(1);
  });

  it('leaves the decision pending (for a retry) when the API server keeps timing out', async () => {
    const state = await deps.store.get('sandbox/default/my-service');
    const rollback = await import('../../lib/domain/transition.ts').then(({ transition }) =>
      transition(
        state ?? expect.fail('no state'),
        { type: 'rollback', cause: { type: 'operator', actor: 't', reason: 'r' } },
        { now: new Date(), decisionId: 'rb-1' },
      ),
    );
    if (!rollback.ok) throw new Error(rollback.message);
    await deps.store.commit(rollback.state, [rollback.entry]);
    emulator.injectFaults({ count: 10, timeout: true });
    await expect(applyDecision(deps, rollback.events[0]?.detail ?? expect.fail())).rejects.toThrow(
      /did not answer in time/,
    );
    emulator.clearFaults();
    expect((await deps.store.get('sandbox/default/my-service'))?.pending?.decisionId).toBe('rb-1');
    expect(await applyDecision(deps, rollback.events[0]?.detail ?? expect.fail())).toMatchObject({
      outcome: 'applied',
      phase: 'RolledBack',
    });
    expect(currentWeights(stored(), spec.target)).toEqual({ primary: 100, canary: 0 });
  });
});
