import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyDeps, type ApplyOutcome, applyDecision } from '../../lib/app/apply-decision.ts';
import { checkDrift } from '../../lib/app/check-drift.ts';
import { operatorAction } from '../../lib/app/operator-action.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { describeEntry } from '../../lib/domain/describe.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import type { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { emulatedApplyDeps } from '../support/emulated-apply.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';
import { kubectlGetVirtualService, kubectlPatchVirtualService } from '../support/kubectl.ts';

/** What an operator typed mid-rollout: all traffic back to the primary, by hand. */
const ALL_TO_PRIMARY = [
  { op: 'replace', path: '/spec/http/0/route/0/weight', value: 100 },
  { op: 'replace', path: '/spec/http/0/route/1/weight', value: 0 },
];
const why = { actor: 'alice', reason: 'saw the drift' };

describe('drift, against the emulated Kubernetes API (edited with kubectl) and DynamoDB Local', () => {
  let emulator: KubeEmulator;
  let deps: ApplyDeps;
  let bus: FakeEventBus;

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    ({ deps, bus } = await emulatedApplyDeps(emulator, { table: 'kanari-drift', timeoutMs: 5000 }));
  });
  afterAll(() => emulator?.stop());

  /** shift-traffic receiving every traffic request published so far. */
  const deliver = async (): Promise<ApplyOutcome[]> => {
    const requests = bus.published.filter((e) => TRAFFIC_REQUESTS.includes(e.detailType));
    bus.published.splice(
      0,
      bus.published.length,
      ...bus.published.filter((e) => !requests.includes(e)),
    );
    const outcomes: ApplyOutcome[] = [];
    for (const event of requests) outcomes.push(await applyDecision(deps, event.detail));
    return outcomes;
  };

  /** A rollout in its own namespace, at its first step (primary 90 · canary 10). */
  const atFirstStep = async (namespace: string, onDrift?: RolloutSpec['onDrift']) => {
    emulator.seed(seedVirtualService(namespace));
    const base = seedSpec();
    const spec: RolloutSpec = {
      ...base,
      target: { ...base.target, namespace },
      ...(onDrift ? { onDrift } : {}),
    };
    await startRollout(deps, spec, { type: 'scheduler' });
    await deliver();
    const id = `sandbox/${namespace}/my-service`;
    const weights = async () =>
      currentWeights(
        await kubectlGetVirtualService(emulator.kubeconfigPath, 'my-service', namespace),
        spec.target,
      );
    expect(await weights()).toEqual({ primary: 90, canary: 10 });
    return {
      id,
      weights,
      edit: () =>
        kubectlPatchVirtualService(
          emulator.kubeconfigPath,
          ALL_TO_PRIMARY,
          'my-service',
          namespace,
        ),
      state: async () => (await deps.store.get(id)) ?? expect.fail(`no ${id}`),
      ledger: async () => (await deps.store.ledger(id)).entries,
      drifts: () => bus.of('Drift Detected').filter((e) => e.detail.rolloutId === id),
    };
  };

  it('sees a kubectl patch to 100/0 mid-rollout: ledger entry, Drift Detected, Paused, edit kept', async () => {
    const r = await atFirstStep('seen');
    expect(await r.edit()).toContain('virtualservice.networking.istio.io/my-service patched');
    const results = await checkDrift(deps);
    expect(results.find((x) => x.id === r.id)).toEqual({
      id: r.id,
      outcome: 'drift',
      phase: 'Paused',
      events: ['Drift Detected'],
    });
    const state = await r.state();
    expect(state).toMatchObject({ phase: 'Paused', pausedFrom: 'Progressing' });
    const stored = emulator.read(
      'networking.istio.io/v1',
      'VirtualService',
      'seen',
      'my-service',
    ) as {
      metadata: { resourceVersion: string };
    };
    expect(state.drift).toMatchObject({
      applied: { primary: 90, canary: 10 },
      observed: { primary: 100, canary: 0 },
      action: 'pause',
      resourceVersion: stored.metadata.resourceVersion,
    });
    const entry = (await r.ledger()).at(-1) ?? expect.fail('no entry');
    expect(entry.kind).toBe('drift');
    expect(describeEntry(entry)).toBe(
      "Drift: kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0% → paused (resume to re-apply kanari's weights)",
    );
    expect(r.drifts()).toHaveLength(1);
    expect(await r.weights()).toEqual({ primary: 100, canary: 0 });
    // The next tick records nothing more.
    await checkDrift(deps);
    expect((await r.ledger()).filter((e) => e.kind === 'drift')).toHaveLength(1);
  });

  it('never overwrites silently: a promotion finds the edit, pauses; resume re-applies', async () => {
    const r = await atFirstStep('guarded');
    await operatorAction(deps, r.id, 'promote', why);
    await r.edit();
    expect(await deliver()).toEqual([
      { outcome: 'drift', phase: 'Paused', observed: { primary: 100, canary: 0 } },
    ]);
    expect(await r.weights()).toEqual({ primary: 100, canary: 0 });
    const drift = (await r.ledger()).at(-1);
    expect(drift).toMatchObject({ kind: 'drift', phase: 'Paused' });
    expect(drift?.message).toMatch(/the pending step to 20% was not applied/);
    expect(r.drifts()).toHaveLength(1);

    await operatorAction(deps, r.id, 'resume', why);
    expect(await deliver()).toEqual([
      { outcome: 'applied', phase: 'Progressing', weights: { primary: 90, canary: 10 } },
    ]);
    expect(await r.weights()).toEqual({ primary: 90, canary: 10 });
    expect((await r.ledger()).at(-1)?.message).toMatch(/^Re-applied kanari's weights: primary 90%/);
    expect((await r.state()).drift).toBeUndefined();
  });

  it('with onDrift reapply restores kanari weights, and the ledger records the re-apply', async () => {
    const r = await atFirstStep('restored', 'reapply');
    await r.edit();
    const results = await checkDrift(deps);
    expect(results.find((x) => x.id === r.id)).toMatchObject({
      outcome: 'drift',
      phase: 'Progressing',
    });
    expect(await deliver()).toEqual([
      { outcome: 'applied', phase: 'Progressing', weights: { primary: 90, canary: 10 } },
    ]);
    expect(await r.weights()).toEqual({ primary: 90, canary: 10 });
    const [drift, applied] = (await r.ledger()).slice(-2);
    expect(drift).toMatchObject({ kind: 'drift', drift: { action: 'reapply' } });
    expect(applied).toMatchObject({
      kind: 'applied',
      drift: { observed: { primary: 100, canary: 0 }, action: 'reapply' },
    });
    expect(applied?.applied?.patch.length).toBeGreaterThan(0);
    expect(r.drifts()).toHaveLength(1);
  });
});
