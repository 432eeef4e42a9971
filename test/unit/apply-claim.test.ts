import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { ActionNotAllowedError, operatorAction } from '../../lib/app/operator-action.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { type EventDetail, TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { LedgerEntry, RolloutState } from '../../lib/domain/state.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec } from '../support/fixtures.ts';

// shift-traffic claims the pending decision with a conditional write just before its PATCH.
// These tests put a rollback, a pause or a crash in each gap around that claim.

const ID = 'sandbox/default/my-service';
const REF = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
const why = { actor: 'alice', reason: 'testing the claim' };

/** A rollout at 90/10 with a promote to 20% requested, and hooks in shift-traffic's gaps. */
const world = async () => {
  const ports = fakePorts();
  const spec = seedSpec();
  await startRollout(ports.core, spec, { type: 'scheduler' });
  await ports.deliver();
  await operatorAction(ports.core, ID, 'promote', why);
  const hooks: {
    /** Runs just before the claim's write. */
    beforeClaim?: () => Promise<void>;
    /** Runs just before the PATCH (after the claim). */
    beforePatch?: () => Promise<void>;
    /** Thrown by the write that records an `applied` entry: a crash after the PATCH. */
    crashOnRecord?: Error;
    /** Runs just before the write that records an `applied` entry. */
    beforeRecord?: () => Promise<void>;
  } = {};
  const store: RolloutStore = {
    ...ports.store,
    async commit(state: RolloutState, entries: LedgerEntry[]) {
      if (entries.length === 0 && hooks.beforeClaim) {
        const hook = hooks.beforeClaim;
        hooks.beforeClaim = undefined;
        await hook();
      }
      if (entries.some((e) => e.kind === 'applied') && hooks.beforeRecord) {
        const hook = hooks.beforeRecord;
        hooks.beforeRecord = undefined;
        await hook();
      }
      if (entries.some((e) => e.kind === 'applied') && hooks.crashOnRecord) {
        const crash = hooks.crashOnRecord;
        hooks.crashOnRecord = undefined;
        throw crash;
      }
      return ports.store.commit(state, entries);
    },
  };
  const router = ports.router;
  const applyDeps: ApplyDeps = {
    ...ports.applyDeps,
    store,
    router: {
      getVirtualService: (ref) => router.getVirtualService(ref),
      async patchVirtualService(ref, expected, ops) {
        const hook = hooks.beforePatch;
        hooks.beforePatch = undefined;
        await hook?.();
        return router.patchVirtualService(ref, expected, ops);
      },
    },
  };
  const requests = (): EventDetail[] =>
    ports.bus
      .drain()
      .filter((e) => TRAFFIC_REQUESTS.includes(e.detailType))
      .map((e) => e.detail);
  const weights = () => currentWeights(router.read(REF) ?? expect.fail('no vs'), spec.target);
  const state = async () => (await ports.store.get(ID)) ?? expect.fail('no state');
  const ledger = async () => (await ports.store.ledger(ID)).entries;
  return { ...ports, hooks, applyDeps, requests, weights, state, ledger };
};

describe('a rollback against a claimed step', () => {
  it('accepted before the claim: the claim loses, the step never lands', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.beforeClaim = async () => {
      await operatorAction(w.core, ID, 'rollback', why);
    };
    const outcome = await applyDecision(w.applyDeps, step ?? expect.fail('no step'));
    expect(outcome).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringMatching(/superseded/),
    });
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
    expect(w.router.patches).toHaveLength(1);
    const [rollback] = w.requests();
    await applyDecision(w.applyDeps, rollback ?? expect.fail('no rollback'));
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    expect(await w.state()).toMatchObject({ phase: 'RolledBack', canaryWeight: 0 });
    const rollbackEntry = (await w.ledger()).find((e) => e.decision?.action === 'rollback');
    expect(rollbackEntry?.message).not.toMatch(/already being applied/);
  });

  it('accepted after the claim: it says the step may land, and its own patch comes after', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.beforePatch = async () => {
      await operatorAction(w.core, ID, 'rollback', why);
    };
    const outcome = await applyDecision(w.applyDeps, step ?? expect.fail('no step'));
    expect(outcome).toMatchObject({ outcome: 'applied', phase: 'RollingBack' });
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    // The state says where traffic is while the rollback is pending.
    expect(await w.state()).toMatchObject({
      phase: 'RollingBack',
      canaryWeight: 20,
      pending: { action: 'rollback' },
    });
    const [rollback] = w.requests();
    await applyDecision(w.applyDeps, rollback ?? expect.fail('no rollback'));
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    expect(await w.state()).toMatchObject({ phase: 'RolledBack', canaryWeight: 0 });
    const ledger = await w.ledger();
    const accepted = ledger.findIndex(
      (e) => e.kind === 'action' && e.decision?.action === 'rollback',
    );
    expect(ledger[accepted]?.message).toMatch(
      /the step to 20% was already being applied and may land first/,
    );
    // The ledger holds both patches, in the order they landed: the step, then the rollback.
    const applied = ledger
      .filter((e) => e.kind === 'applied')
      .map((e) => e.applied?.weights.canary);
    expect(applied).toEqual([10, 20, 0]);
    expect(ledger.at(-1)).toMatchObject({ kind: 'applied', phase: 'RolledBack' });
  });
});

describe('a pause against a claimed step', () => {
  it('the step lands after the pause: the paused state says where traffic is', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.beforePatch = async () => {
      await operatorAction(w.core, ID, 'pause', why);
    };
    const outcome = await applyDecision(w.applyDeps, step ?? expect.fail('no step'));
    expect(outcome).toMatchObject({ outcome: 'applied', phase: 'Paused' });
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    const state = await w.state();
    expect(state).toMatchObject({ phase: 'Paused', canaryWeight: 20, pausedFrom: 'Progressing' });
    expect(state.pending).toBeUndefined();
    expect(state.message).toMatch(/^Paused at 20%/);
    // Resumed, it goes on from 20%: the next step is 30%, not 20% again.
    await operatorAction(w.core, ID, 'resume', why);
    await operatorAction(w.core, ID, 'promote', why);
    const [next] = w.requests().filter((d) => d.targetWeight !== undefined);
    expect(next?.targetWeight).toBe(30);
  });

  it('the pause comes first: the step is cancelled and nothing is written', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.beforeClaim = async () => {
      await operatorAction(w.core, ID, 'pause', why);
    };
    await applyDecision(w.applyDeps, step ?? expect.fail('no step'));
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
    expect(await w.state()).toMatchObject({ phase: 'Paused', canaryWeight: 10 });
    expect((await w.ledger()).find((e) => e.decision?.action === 'pause')?.message).toMatch(
      /the pending step was cancelled/,
    );
  });
});

describe('a promote against a claimed step', () => {
  it('is refused: the step is applied once, and the next promote goes on from it', async () => {
    const w = await world();
    const [step] = w.requests();
    let refused: unknown;
    w.hooks.beforePatch = async () => {
      refused = await operatorAction(w.core, ID, 'promote', why).catch((error) => error);
    };
    expect(await applyDecision(w.applyDeps, step ?? expect.fail('no step'))).toMatchObject({
      outcome: 'applied',
      weights: { primary: 80, canary: 20 },
    });
    expect(refused).toBeInstanceOf(ActionNotAllowedError);
    expect((refused as Error).message).toMatch(/the step to 20% is being applied/);
    expect(w.requests()).toEqual([]);
    expect(await w.state()).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    await operatorAction(w.core, ID, 'promote', why);
    const [next] = w.requests();
    expect(next?.targetWeight).toBe(30);
    const applied = (await w.ledger()).filter((e) => e.kind === 'applied');
    expect(applied.map((e) => e.applied?.weights.canary)).toEqual([10, 20]);
  });
});

describe('a claimed step that lands under a newer decision', () => {
  it('moves the state, so that a pause keeps the weight the cluster has', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.beforePatch = async () => {
      await operatorAction(w.core, ID, 'promote', { ...why, full: true });
    };
    await applyDecision(w.applyDeps, step ?? expect.fail('no step'));
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await w.state()).toMatchObject({
      phase: 'Progressing',
      canaryWeight: 20,
      stepIndex: 1,
      pending: { action: 'promote', targetWeight: 100 },
    });
    await operatorAction(w.core, ID, 'pause', why);
    expect(await w.state()).toMatchObject({ phase: 'Paused', canaryWeight: 20 });
  });

  it('moves the state, so that the next step goes on from it', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.beforePatch = async () => {
      await operatorAction(w.core, ID, 'promote', { ...why, full: true });
    };
    await applyDecision(w.applyDeps, step ?? expect.fail('no step'));
    const [promotion] = w.requests().filter((d) => d.targetWeight === 100);
    // A promote to the next step lands before the full promotion is claimed: it replaces it.
    w.hooks.beforeClaim = async () => {
      await operatorAction(w.core, ID, 'promote', why);
    };
    await applyDecision(w.applyDeps, promotion ?? expect.fail('no promotion'));
    const [next] = w.requests().filter((d) => d.targetWeight !== undefined);
    expect(next?.targetWeight).toBe(30);
    await applyDecision(w.applyDeps, next ?? expect.fail('no step'));
    const applied = (await w.ledger()).filter((e) => e.kind === 'applied');
    expect(applied.map((e) => e.applied?.weights.canary)).toEqual([10, 20, 30]);
  });
});

describe('two deliveries of one step', () => {
  it('the one that wrote the weights records last: the step is recorded once', async () => {
    const w = await world();
    const [step] = w.requests();
    const detail = step ?? expect.fail('no step');
    // The duplicate runs between the first delivery's PATCH and its record, finds the weights
    // in place and records the decision itself.
    w.hooks.beforeRecord = async () => {
      expect(await applyDecision(w.applyDeps, detail)).toMatchObject({ outcome: 'applied' });
    };
    expect(await applyDecision(w.applyDeps, detail)).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringMatching(/applied by another delivery/),
    });
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    expect(await w.state()).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    const applied = (await w.ledger()).filter((e) => e.kind === 'applied');
    expect(applied.map((e) => e.applied?.weights.canary)).toEqual([10, 20]);
  });
});

describe('a crash between the PATCH and the ledger write', () => {
  it('the re-published decision completes the record without stepping again', async () => {
    const w = await world();
    const [step] = w.requests();
    w.hooks.crashOnRecord = new Error('the function died');
    await expect(applyDecision(w.applyDeps, step ?? expect.fail('no step'))).rejects.toThrow(
      /the function died/,
    );
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    const crashed = await w.state();
    expect(crashed.pending).toMatchObject({ claimedAt: expect.any(String), targetWeight: 20 });
    const resourceVersion = w.router.read(REF)?.metadata.resourceVersion;
    // The next tick, once the decision is old enough, publishes it again.
    const analyze: AnalyzeDeps = {
      ...w.core,
      metricsFor: () => new FakeMetricsProvider(),
      resendAfterMs: 60_000,
    };
    w.advance(61_000);
    expect(await analyzeDue(analyze)).toEqual([
      { id: ID, outcome: 'resent', decisionId: crashed.pending?.decisionId },
    ]);
    const [again] = w.requests();
    expect(again?.decisionId).toBe(step?.decisionId);
    const resent = (await w.ledger()).filter((e) => e.kind === 'resent');
    expect(resent.map((e) => e.message)).toEqual([
      'Re-published Step Promotion Requested: not applied 61 s after it was requested',
    ]);
    expect(await applyDecision(w.applyDeps, again ?? expect.fail('no resend'))).toMatchObject({
      outcome: 'applied',
      weights: { primary: 80, canary: 20 },
    });
    expect(w.router.read(REF)?.metadata.resourceVersion).toBe(resourceVersion);
    expect(await w.state()).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    const applied = (await w.ledger()).filter(
      (e) => e.kind === 'applied' && e.decision?.decisionId === step?.decisionId,
    );
    expect(applied).toHaveLength(1);
    expect(applied[0]?.applied).toMatchObject({ patch: [], resourceVersion });
    // A third delivery changes nothing.
    expect(await applyDecision(w.applyDeps, again ?? expect.fail())).toMatchObject({
      outcome: 'ignored',
    });
  });
});

describe('a promotion that lands after a pause', () => {
  it('ends the rollout Succeeded, as any promotion does', async () => {
    const w = await world();
    await w.deliver();
    await operatorAction(w.core, ID, 'promote', { ...why, full: true });
    const [promotion] = w.requests();
    w.hooks.beforePatch = async () => {
      await operatorAction(w.core, ID, 'pause', why);
    };
    await applyDecision(w.applyDeps, promotion ?? expect.fail('no promotion'));
    expect(w.weights()).toEqual({ primary: 0, canary: 100 });
    const state = await w.state();
    expect(state).toMatchObject({ phase: 'Succeeded', canaryWeight: 100 });
    expect(state.pausedFrom).toBeUndefined();
    expect(state.finishedAt).toBeDefined();
    expect(w.bus.of('Rollout Succeeded')).toHaveLength(1);
  });
});

describe('a crash after the PATCH, then a pause before the delivery comes again', () => {
  it('the retried delivery records the weights that landed, and patches nothing', async () => {
    const w = await world();
    const step = w.requests()[0] ?? expect.fail('no step');
    w.hooks.crashOnRecord = new Error('the answer was lost');
    await expect(applyDecision(w.applyDeps, step)).rejects.toThrow();
    expect(w.weights()).toEqual({ primary: 80, canary: 20 });
    await operatorAction(w.core, ID, 'pause', why);
    expect(await w.state()).toMatchObject({ phase: 'Paused', canaryWeight: 10 });
    const resourceVersion = w.router.read(REF)?.metadata.resourceVersion;
    // Lambda runs the failed invocation again.
    expect(await applyDecision(w.applyDeps, step)).toMatchObject({
      outcome: 'applied',
      phase: 'Paused',
      weights: { primary: 80, canary: 20 },
    });
    const state = await w.state();
    expect(state).toMatchObject({ phase: 'Paused', canaryWeight: 20 });
    expect(state.cancelled).toBeUndefined();
    expect(w.router.read(REF)?.metadata.resourceVersion).toBe(resourceVersion);
    expect(await applyDecision(w.applyDeps, step)).toMatchObject({ outcome: 'ignored' });
    const applied = (await w.ledger()).filter(
      (e) => e.decision?.decisionId === step.decisionId && e.kind === 'applied',
    );
    expect(applied).toHaveLength(1);
  });

  it('a cancelled step that never landed is not recorded', async () => {
    const w = await world();
    const step = w.requests()[0] ?? expect.fail('no step');
    w.hooks.beforePatch = async () => {
      await operatorAction(w.core, ID, 'pause', why);
      throw new Error('the PATCH never reached the apiserver');
    };
    await expect(applyDecision(w.applyDeps, step)).rejects.toThrow();
    expect(await applyDecision(w.applyDeps, step)).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringMatching(/was cancelled/),
    });
    expect(await w.state()).toMatchObject({ phase: 'Paused', canaryWeight: 10 });
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
  });
});
