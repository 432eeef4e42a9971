import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { intakeAlerts } from '../../lib/app/intake-alert.ts';
import { operatorAction } from '../../lib/app/operator-action.ts';
import { LifecycleConflictError, startRollout } from '../../lib/app/start-rollout.ts';
import { swapDestinations } from '../../lib/domain/lifecycle.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const ID = 'sandbox/default/my-service';
const REF = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
const HOSTS = { primary: { host: 'my-service' }, canary: { host: 'my-service-v2' } };
const ci = { type: 'operator' as const, actor: 'ci', reason: 'rollout created' };

type Health = { successRate: number; p99: number };
const answers = (h: Health) => (query: string) =>
  query.startsWith('sum(increase(')
    ? 500
    : query.startsWith('histogram_quantile')
      ? h.p99
      : h.successRate;

/** Fakes for every port, one clock, and ticks: an interval passes, analyze runs, shift-traffic applies. */
const world = () => {
  const ports = fakePorts();
  const metrics = FakeMetricsProvider.perWorkload(answers({ successRate: 99.9, p99: 200 }));
  const analyze: AnalyzeDeps = { ...ports.core, metricsFor: () => metrics };
  const vs = (): VirtualService => ports.router.read(REF) ?? seedVirtualService();
  const w = {
    ...ports,
    metrics,
    vs,
    /** my-service's and my-service-v2's weights on the managed route. */
    hosts: () => {
      const { primary, canary } = currentWeights(vs(), { ...seedSpec().target, ...HOSTS });
      return { 'my-service': primary, 'my-service-v2': canary };
    },
    apply: async (spec: RolloutSpec) => {
      const result = await startRollout(ports.core, spec, ci);
      await ports.deliver();
      return result;
    },
    tick: async () => {
      ports.advance(60_000);
      await analyzeDue(analyze);
      await ports.deliver();
    },
    /** Ticks until the rollout ends; the hosts' weights after each tick. */
    runToEnd: async () => {
      const seen = [w.hosts()];
      for (let i = 0; i < 10; i++) {
        const state = await ports.store.get(ID);
        if (state && ['Succeeded', 'RolledBack', 'Failed', 'Aborted'].includes(state.phase)) break;
        await w.tick();
        seen.push(w.hosts());
      }
      return seen;
    },
    state: async () => (await ports.store.get(ID)) ?? expect.fail('no rollout'),
    ledger: async () => (await ports.store.ledger(ID)).entries,
  };
  return w;
};

const succeeded = async () => {
  const w = world();
  await w.apply(seedSpec());
  await w.runToEnd();
  expect(await w.state()).toMatchObject({ phase: 'Succeeded', canaryWeight: 100 });
  return w;
};

describe('after Succeeded', () => {
  it('refuses the same spec again: no revision 2, no patch, the canary keeps all traffic', async () => {
    const w = await succeeded();
    const patches = w.router.patches.length;
    const before = await w.state();
    const error = await w.apply(seedSpec()).catch((e) => e);
    expect(error).toBeInstanceOf(LifecycleConflictError);
    expect(error.message).toContain('kanari apply --swap -f <file>');
    expect(error.message).toContain(`kanari finalize ${ID} --reason`);
    expect(error.phase).toBe('Succeeded');
    expect(await w.state()).toEqual(before);
    expect(w.router.patches.length).toBe(patches);
    expect(w.hosts()).toEqual({ 'my-service': 0, 'my-service-v2': 100 });
  });

  it('--swap: revision 2 moves traffic to my-service step by step and succeeds', async () => {
    const w = await succeeded();
    const result = await w.apply(swapDestinations(seedSpec()));
    expect(result).toMatchObject({ outcome: 'started', warnings: [], state: { revision: 2 } });
    const seen = await w.runToEnd();
    expect(seen.map((h) => h['my-service'])).toEqual([10, 20, 30, 40, 50, 100]);
    expect(await w.state()).toMatchObject({ revision: 2, phase: 'Succeeded', canaryWeight: 100 });
    const second = (await w.ledger()).filter((e) => e.revision === 2 && e.kind === 'applied');
    expect(second.map((e) => e.applied?.weights)).toEqual(
      [10, 20, 30, 40, 50, 100].map((canary) => ({ primary: 100 - canary, canary })),
    );
  });

  it('finalize moves all traffic to the primary on the managed route only, and stays Succeeded', async () => {
    const w = await succeeded();
    const v2RouteBefore = w.vs().spec.http?.[1];
    w.bus.drain();
    await operatorAction(w.core, ID, 'finalize', {
      actor: 'alice',
      reason: 'CD deployed v2 to my-service',
    });
    expect(w.bus.published.map((e) => e.detailType)).toEqual(['Finalize Requested']);
    await w.deliver();
    expect(w.hosts()).toEqual({ 'my-service': 100, 'my-service-v2': 0 });
    expect(w.vs().spec.http?.[1]).toEqual(v2RouteBefore);
    const state = await w.state();
    expect(state).toMatchObject({ phase: 'Succeeded', canaryWeight: 0, revision: 1 });
    expect(state.finalizedAt).toBeDefined();
    // deliver() drained the request; what shift-traffic reported announces no second end.
    expect(w.bus.published.map((e) => e.detailType)).toEqual(['Traffic Shifted']);
    const last = (await w.ledger()).at(-1);
    expect(last).toMatchObject({ kind: 'applied', decision: { action: 'finalize' } });
    expect(last?.message).toMatch(/^Finalized: primary 100% · canary 0%/);

    // The next release is the same spec again: revision 2 starts from primary 100.
    await w.apply(seedSpec());
    expect(await w.state()).toMatchObject({ revision: 2, phase: 'Progressing', canaryWeight: 10 });
    expect(w.hosts()).toEqual({ 'my-service': 90, 'my-service-v2': 10 });
  });

  it('a finalize whose event was lost is published again by the scheduler, and lands', async () => {
    const w = await succeeded();
    await operatorAction(w.core, ID, 'finalize', { actor: 'alice', reason: 'v2 is on my-service' });
    w.bus.drain(); // the Finalize Requested event never reaches shift-traffic
    await w.tick();
    await w.tick();
    expect(w.hosts()).toEqual({ 'my-service': 100, 'my-service-v2': 0 });
    const state = await w.state();
    expect(state).toMatchObject({ phase: 'Succeeded', canaryWeight: 0 });
    expect(state.pending).toBeUndefined();
    const resent = (await w.ledger()).filter((e) => e.kind === 'resent');
    expect(resent.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Re-published Finalize Requested: not applied/),
    ]);
  });

  it('an alert in the bake window after finalize is refused: nothing to roll back', async () => {
    const w = world();
    await w.apply({
      ...seedSpec(),
      alerts: {
        bakeWindow: '1h',
        matchers: [{ labels: { alertname: 'Bad' }, action: 'rollback' }],
      },
    });
    await w.runToEnd();
    await operatorAction(w.core, ID, 'finalize', { actor: 'alice', reason: 'v2 is on my-service' });
    await w.deliver();
    const entries = (await w.ledger()).length;
    const [outcome] = await intakeAlerts(w.core, [
      {
        source: 'alertmanager',
        id: 'fp',
        name: 'Bad',
        status: 'firing',
        labels: { alertname: 'Bad' },
      },
    ]);
    expect(outcome).toMatchObject({ outcome: 'matched', rollouts: [{ outcome: 'refused' }] });
    expect(JSON.stringify(outcome)).toContain('nothing to roll back');
    expect((await w.ledger()).length).toBe(entries);
    expect(w.hosts()).toEqual({ 'my-service': 100, 'my-service-v2': 0 });
  });
});

describe('after RolledBack', () => {
  it('the same spec starts revision 2 from primary 100; the ledger keeps both revisions', async () => {
    const w = world();
    w.metrics.answerWith(answers({ successRate: 90, p99: 200 }));
    await w.apply(seedSpec());
    await w.runToEnd();
    expect(await w.state()).toMatchObject({ phase: 'RolledBack', canaryWeight: 0 });
    w.metrics.answerWith(answers({ successRate: 99.9, p99: 200 }));
    const result = await w.apply(seedSpec());
    expect(result.outcome).toBe('started');
    const entries = await w.ledger();
    const start2 = entries.find((e) => e.revision === 2 && e.kind === 'start');
    expect(start2?.decision).toMatchObject({ fromWeight: 0, targetWeight: 10 });
    expect(w.hosts()).toEqual({ 'my-service': 90, 'my-service-v2': 10 });
    expect([...new Set(entries.map((e) => e.revision))]).toEqual([1, 2]);
    expect(entries.filter((e) => e.revision === 1).at(-1)).toMatchObject({ phase: 'RolledBack' });
  });
});

describe('apply on a rollout in flight', () => {
  it('same spec: unchanged and nothing written', async () => {
    const w = world();
    await w.apply(seedSpec());
    const before = await w.state();
    const entries = (await w.ledger()).length;
    const result = await w.apply(seedSpec());
    expect(result).toMatchObject({ outcome: 'unchanged', warnings: [] });
    expect(await w.state()).toEqual(before);
    expect((await w.ledger()).length).toBe(entries);
  });

  it('safe fields: updated in place with a ledger entry, and the next checks use them', async () => {
    const w = world();
    await w.apply(seedSpec({ threshold: 5 }));
    const updated = await w.apply(seedSpec({ threshold: 1 }));
    expect(updated.outcome).toBe('updated');
    expect(updated.state).toMatchObject({ revision: 1, canaryWeight: 10 });
    expect((await w.ledger()).at(-1)).toMatchObject({
      kind: 'update',
      changedFields: ['analysis.threshold'],
      message: 'Spec updated in flight: analysis.threshold 5 → 1',
    });
    // With the threshold now 1, a single failed check rolls back.
    w.metrics.answerWith(answers({ successRate: 90, p99: 200 }));
    await w.tick();
    expect(await w.state()).toMatchObject({ phase: 'RolledBack', canaryWeight: 0 });
  });

  it('unsafe fields: refused naming them, nothing written', async () => {
    const w = world();
    await w.apply(seedSpec());
    const before = await w.state();
    const error = await w.apply(seedSpec({ stepWeights: [25, 50], threshold: 3 })).catch((e) => e);
    expect(error).toBeInstanceOf(LifecycleConflictError);
    expect(error.unsafeFields).toEqual([
      'analysis.stepWeights[0]',
      'analysis.stepWeights[1]',
      'analysis.stepWeights[2]',
      'analysis.stepWeights[3]',
      'analysis.stepWeights[4]',
    ]);
    expect(error.message).toContain('kanari abort');
    expect(await w.state()).toEqual(before);
  });
});
