import { describe, expect, it } from 'vitest';
import { applyDecision } from '../../lib/app/apply-decision.ts';
import { checkDrift } from '../../lib/app/check-drift.ts';
import { operatorAction } from '../../lib/app/operator-action.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { describeEntry } from '../../lib/domain/describe.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const ID = 'sandbox/default/my-service';
const REF = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
const why = { actor: 'alice', reason: 'testing drift' };

/** A rollout at its first step (90/10 applied), and a hand that edits the VirtualService. */
const world = async (onDrift?: RolloutSpec['onDrift']) => {
  const ports = fakePorts();
  const spec: RolloutSpec = { ...seedSpec(), ...(onDrift ? { onDrift } : {}) };
  await startRollout(ports.core, spec, { type: 'scheduler' });
  await ports.deliver();
  const weights = () => currentWeights(ports.router.read(REF) ?? expect.fail('no vs'), spec.target);
  /** What `kubectl patch` would do: new weights on the managed route, a new resourceVersion. */
  const edit = (primary: number, canary: number) => {
    const vs = ports.router.read(REF) ?? expect.fail('no vs');
    const route = vs.spec.http?.[0]?.route ?? [];
    for (const entry of route)
      entry.weight = entry.destination.host === 'my-service' ? primary : canary;
    ports.router.put('sandbox', vs);
  };
  const state = async () => (await ports.store.get(ID)) ?? expect.fail('no state');
  const ledger = async () => (await ports.store.ledger(ID)).entries;
  /** shift-traffic delivering each traffic request, with its outcomes; other events stay. */
  const deliver = async () => {
    const published = ports.bus.published;
    const requests = published.filter((e) => TRAFFIC_REQUESTS.includes(e.detailType));
    published.splice(0, published.length, ...published.filter((e) => !requests.includes(e)));
    const outcomes = [];
    for (const event of requests) outcomes.push(await applyDecision(ports.applyDeps, event.detail));
    return outcomes;
  };
  ports.bus.drain();
  return {
    ...ports,
    weights,
    edit,
    state,
    ledger,
    deliver,
    checkDrift: () => checkDrift(ports.applyDeps),
  };
};

describe('the drift check', () => {
  it('records a hand edit, announces Drift Detected, pauses, and leaves the edit alone', async () => {
    const w = await world();
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
    expect(await w.checkDrift()).toEqual([{ id: ID, outcome: 'in-sync' }]);
    w.edit(100, 0);
    expect(await w.checkDrift()).toEqual([
      { id: ID, outcome: 'drift', phase: 'Paused', events: ['Drift Detected'] },
    ]);
    const state = await w.state();
    expect(state).toMatchObject({
      phase: 'Paused',
      drift: { applied: { primary: 90, canary: 10 }, observed: { primary: 100, canary: 0 } },
    });
    const drift = (await w.ledger()).filter((e) => e.kind === 'drift');
    expect(drift).toHaveLength(1);
    expect(describeEntry(drift[0] ?? expect.fail())).toBe(
      "Drift: kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0% → paused (resume to re-apply kanari's weights)",
    );
    expect(w.bus.of('Drift Detected')[0]?.detail).toMatchObject({
      rolloutId: ID,
      weights: { primary: 100, canary: 0 },
      drift: { action: 'pause' },
    });
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    // Not recorded again on the next ticks.
    await w.checkDrift();
    await w.checkDrift();
    expect((await w.ledger()).filter((e) => e.kind === 'drift')).toHaveLength(1);
    expect(w.bus.of('Drift Detected')).toHaveLength(1);
  });

  it("resume puts kanari's weights back and the plan goes on from there", async () => {
    const w = await world();
    w.edit(100, 0);
    await w.checkDrift();
    await operatorAction(w.core, ID, 'resume', why);
    expect(await w.deliver()).toEqual([
      { outcome: 'applied', phase: 'Progressing', weights: { primary: 90, canary: 10 } },
    ]);
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
    const state = await w.state();
    expect(state.drift).toBeUndefined();
    expect(state).toMatchObject({ phase: 'Progressing', canaryWeight: 10, stepIndex: 0 });
    expect((await w.ledger()).at(-1)?.message).toMatch(/^Re-applied kanari's weights/);
    // The next promotion is a normal step: no drift any more.
    await operatorAction(w.core, ID, 'promote', why);
    await w.deliver();
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
  });

  it("with onDrift reapply restores kanari's weights and records it", async () => {
    const w = await world('reapply');
    w.edit(100, 0);
    expect(await w.checkDrift()).toEqual([
      {
        id: ID,
        outcome: 'drift',
        phase: 'Progressing',
        events: ['Drift Detected', 'Step Promotion Requested'],
      },
    ]);
    await w.deliver();
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
    const kinds = (await w.ledger()).slice(-2);
    expect(kinds.map((e) => e.kind)).toEqual(['drift', 'applied']);
    expect(kinds[1]).toMatchObject({ drift: { action: 'reapply' } });
    expect((await w.state()).drift).toBeUndefined();
  });

  it('reports a VirtualService it cannot read and checks the others', async () => {
    const w = await world();
    w.router.put('sandbox', seedVirtualService('shop'));
    const shop = seedSpec();
    shop.target = { ...shop.target, namespace: 'shop' };
    await startRollout(w.core, shop, { type: 'scheduler' });
    await w.deliver();
    // Someone rewrites the default namespace's route without the canary.
    const broken = w.router.read(REF) ?? expect.fail('no vs');
    broken.spec.http = [{ route: [{ destination: { host: 'my-service' } }] }];
    w.router.put('sandbox', broken);
    const results = await w.checkDrift();
    expect(results).toHaveLength(2);
    expect(results).toEqual(
      expect.arrayContaining([
        { id: 'sandbox/shop/my-service', outcome: 'in-sync' },
        {
          id: ID,
          outcome: 'unreadable',
          message: expect.stringMatching(/has no http route holding both destinations/),
        },
      ]),
    );
    expect((await w.state()).phase).toBe('Progressing');
  });
});

describe("kanari's own writes are not drift", () => {
  it('a claimed step that lands after the operator paused moves the paused state with it: no drift', async () => {
    const w = await world();
    await operatorAction(w.core, ID, 'promote', why);
    // The operator pauses while shift-traffic is patching: the patch lands, its commit loses.
    w.router.beforePatch = () => {
      w.router.beforePatch = undefined;
      void operatorAction(w.core, ID, 'pause', why);
    };
    const [outcome] = await w.deliver();
    expect(outcome).toMatchObject({ outcome: 'applied', phase: 'Paused' });
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await w.state()).toMatchObject({ phase: 'Paused', canaryWeight: 20, stepIndex: 1 });
    const ledger = await w.ledger();
    expect(ledger.find((e) => e.decision?.action === 'pause')?.message).toMatch(
      /the step to 20% was already being applied and may land first/,
    );
    expect(ledger.at(-1)).toMatchObject({ kind: 'applied', phase: 'Paused' });
    expect(ledger.at(-1)?.message).toMatch(
      /^Paused at 20%: the step to 20% was already being applied/,
    );
    await operatorAction(w.core, ID, 'resume', why);
    expect(await w.checkDrift()).toEqual([{ id: ID, outcome: 'in-sync' }]);
    expect((await w.ledger()).some((e) => e.kind === 'drift' || e.drift)).toBe(false);
  });
});

describe('the drift check over many rollouts', () => {
  it('checks every in-flight rollout, a few at a time, oldest first', async () => {
    const w = await world();
    for (const namespace of ['a', 'b', 'c']) {
      w.router.put('sandbox', seedVirtualService(namespace));
      const spec = seedSpec();
      spec.target = { ...spec.target, namespace };
      w.advance(1000);
      await startRollout(w.core, spec, { type: 'scheduler' });
      await w.deliver();
    }
    const results = await checkDrift(w.applyDeps, { concurrency: 2 });
    expect(results).toEqual(
      [ID, 'sandbox/a/my-service', 'sandbox/b/my-service', 'sandbox/c/my-service'].map((id) => ({
        id,
        outcome: 'in-sync',
      })),
    );
    expect(await checkDrift(w.applyDeps, { limit: 2 })).toHaveLength(2);
  });
});

describe('the guarded patch', () => {
  it('does not write a step over weights someone else set: it records the drift and pauses', async () => {
    const w = await world();
    await operatorAction(w.core, ID, 'promote', why);
    w.edit(100, 0);
    expect(await w.deliver()).toEqual([
      { outcome: 'drift', phase: 'Paused', observed: { primary: 100, canary: 0 } },
    ]);
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    expect(w.router.patches).toHaveLength(1);
    const last = (await w.ledger()).at(-1);
    expect(last).toMatchObject({ kind: 'drift', drift: { action: 'pause' } });
    expect(last?.message).toMatch(/the pending step to 20% was not applied/);
    expect(w.bus.of('Drift Detected')).toHaveLength(1);
  });

  it('applies a rollback over a drift all the same, and says so on the applied entry', async () => {
    const w = await world();
    w.edit(50, 50);
    await operatorAction(w.core, ID, 'rollback', why);
    const [outcome] = await w.deliver();
    expect(outcome).toMatchObject({ outcome: 'applied', phase: 'RolledBack' });
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    const applied = (await w.ledger()).at(-1);
    expect(applied).toMatchObject({
      kind: 'applied',
      drift: { applied: { primary: 90, canary: 10 }, observed: { primary: 50, canary: 50 } },
    });
    expect(w.bus.of('Drift Detected')).toHaveLength(1);
  });

  it('applies a finalize over a drift, and its ledger line says what it wrote over', async () => {
    const w = await world();
    await operatorAction(w.core, ID, 'promote', { ...why, full: true });
    await w.deliver();
    expect(await w.state()).toMatchObject({ phase: 'Succeeded', canaryWeight: 100 });
    w.edit(50, 50);
    await operatorAction(w.core, ID, 'finalize', why);
    await w.deliver();
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    const last = (await w.ledger()).at(-1) ?? expect.fail('no entry');
    expect(last.drift).toMatchObject({ applied: { primary: 0, canary: 100 } });
    expect(describeEntry(last)).toMatch(
      /^Finalized: primary 100% · canary 0%; the primary serves all traffic \(over drift: the cluster had primary 50% · canary 50%, not kanari's primary 0% · canary 100%\)$/,
    );
  });

  it('with onDrift reapply writes the step over the drift, recorded on the applied entry', async () => {
    const w = await world('reapply');
    await operatorAction(w.core, ID, 'promote', why);
    w.edit(100, 0);
    await w.deliver();
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    expect((await w.ledger()).at(-1)).toMatchObject({
      kind: 'applied',
      drift: { observed: { primary: 100, canary: 0 }, action: 'reapply' },
    });
  });

  it('a promotion the operator asks for after a recorded drift is applied, the drift on its entry', async () => {
    const w = await world();
    w.edit(100, 0);
    await w.checkDrift();
    await operatorAction(w.core, ID, 'promote', why);
    await w.deliver();
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    expect((await w.ledger()).at(-1)).toMatchObject({
      kind: 'applied',
      drift: { action: 'reapply' },
    });
    expect((await w.state()).drift).toBeUndefined();
  });

  it('weights already where the decision puts them are not drift', async () => {
    const w = await world();
    await operatorAction(w.core, ID, 'promote', why);
    w.edit(80, 20);
    const [outcome] = await w.deliver();
    expect(outcome).toMatchObject({ outcome: 'applied', weights: { primary: 80, canary: 20 } });
    expect((await w.ledger()).some((e) => e.drift)).toBe(false);
  });
});
