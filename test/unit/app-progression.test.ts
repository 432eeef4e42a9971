import { describe, expect, it } from 'vitest';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const ID = 'sandbox/default/my-service';
const REF = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
type Answers = { successRate: number | null; p99: number | null; requests: number | null };
const healthy: Answers = { successRate: 99.9, p99: 250, requests: 500 };
/** Answers kanari's built-in queries by their shape. */
const answers = (a: Answers) => (query: string) =>
  query.startsWith('sum(increase(')
    ? a.requests
    : query.startsWith('histogram_quantile')
      ? a.p99
      : a.successRate;

/** A small world: one clock, fakes for every port, and helpers to run ticks Flagger-style. */
const world = (spec: RolloutSpec = seedSpec()) => {
  const { store, bus, router, core, applyDeps, deliver, advance } = fakePorts();
  const metrics = FakeMetricsProvider.perWorkload(answers(healthy));
  const analyzeDeps: AnalyzeDeps = { ...core, metricsFor: () => metrics };
  return {
    store,
    bus,
    router,
    metrics,
    analyzeDeps,
    applyDeps,
    advance,
    start: async () => {
      await startRollout(core, spec, { type: 'operator', actor: 'test', reason: 'start' });
      await deliver();
    },
    /** One interval passes, analyze runs, and shift-traffic applies whatever was decided. */
    tick: async () => {
      advance(60_000);
      await analyzeDue(analyzeDeps);
      await deliver();
    },
    weights: () => currentWeights(router.read(REF) ?? seedVirtualService(), spec.target),
    state: async () => (await store.get(ID)) ?? expect.fail('no state'),
    deliver,
  };
};

describe('scheduled progression', () => {
  it('walks 10 → 50 on healthy checks, then promotes to 100 and succeeds', async () => {
    const w = world();
    await w.start();
    const seen = [{ phase: (await w.state()).phase, canary: w.weights().canary }];
    for (let i = 0; i < 5; i++) {
      await w.tick();
      seen.push({ phase: (await w.state()).phase, canary: w.weights().canary });
    }
    expect(seen).toEqual([
      { phase: 'Progressing', canary: 10 },
      { phase: 'Progressing', canary: 20 },
      { phase: 'Progressing', canary: 30 },
      { phase: 'Progressing', canary: 40 },
      { phase: 'Progressing', canary: 50 },
      { phase: 'Succeeded', canary: 100 },
    ]);
    const { entries } = await w.store.ledger(ID);
    expect(
      entries.filter((e) => e.kind === 'applied').map((e) => e.applied?.weights.canary),
    ).toEqual([10, 20, 30, 40, 50, 100]);
    const check = entries.find((e) => e.kind === 'check')?.check;
    expect(check?.metrics.map((m) => [m.name, m.value, m.verdict])).toEqual([
      ['request-success-rate', 99.9, 'pass'],
      ['request-duration', 250, 'pass'],
    ]);
    expect(check?.metrics[0]?.query).toContain('destination_workload=~"my-service-v2"');
  });

  it('holds on the first failed check and rolls back on reaching the threshold, /v2 included', async () => {
    const w = world();
    await w.start();
    w.metrics.answerWith(answers({ ...healthy, successRate: 95 }));
    await w.tick();
    expect([(await w.state()).phase, w.weights().canary]).toEqual(['Progressing', 10]);
    await w.tick();
    expect([(await w.state()).phase, w.weights().canary]).toEqual(['RolledBack', 0]);
    const v2 = w.router.read(REF)?.spec.http?.[1]?.route;
    expect(v2?.map((r) => [r.destination.host, r.weight])).toEqual([
      ['my-service-v2', 0],
      ['my-service', 100],
    ]);
  });

  it('never promotes without data: no answer or too few requests hold the step', async () => {
    const w = world();
    await w.start();
    w.metrics.answerWith(answers({ successRate: null, p99: null, requests: null }));
    await w.tick();
    w.metrics.answerWith(answers({ ...healthy, requests: 3 }));
    await w.tick();
    expect([(await w.state()).phase, w.weights().canary]).toEqual(['Progressing', 10]);
    const checks = (await w.store.ledger(ID)).entries.filter((e) => e.kind === 'check');
    expect(checks.map((e) => e.check?.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(checks[1]?.check?.metrics[0]?.reason).toBe('too little data: 3 requests < 10');
  });

  it('waits for traffic when neither side has any, however long, and never promotes', async () => {
    const w = world();
    await w.start();
    w.metrics.answerWith(answers({ successRate: null, p99: null, requests: 0 }));
    for (let minute = 1; minute <= 20; minute++) await w.tick();
    const state = await w.state();
    expect([state.phase, w.weights().canary, state.quietMs]).toEqual([
      'Progressing',
      10,
      1_200_000,
    ]);
    expect(state.message).toMatch(/^Waiting for traffic at 10%/);
    const last = (await w.store.ledger(ID)).entries.at(-1);
    expect(last?.check?.metrics.map((m) => [m.reason, m.waitingForTraffic])).toEqual([
      ['waiting for traffic: no requests on canary or primary', true],
      ['waiting for traffic: no requests on canary or primary', true],
    ]);
    // The primary's request count is read beside the canary's, from the grouped query.
    expect(last?.check?.metrics.map((m) => [m.sampleSize, m.primarySampleSize])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('pauses a step still inconclusive at its deadline, counting only the time with traffic', async () => {
    const w = world(seedSpec({ progressDeadline: '5m' }));
    await w.start();
    w.metrics.answerWith(answers({ successRate: null, p99: null, requests: 0 }));
    for (let minute = 1; minute <= 10; minute++) await w.tick();
    w.metrics.answerWith(answers({ ...healthy, requests: 3 }));
    const seen: string[] = [];
    const paused: string[] = [];
    for (let minute = 11; minute <= 15; minute++) {
      w.advance(60_000);
      await analyzeDue(w.analyzeDeps);
      paused.push(
        ...w.bus
          .drain()
          .filter((e) => e.detailType === 'Pause Requested')
          .map((e) => e.detail.cause.type),
      );
      seen.push((await w.state()).phase);
    }
    expect(seen).toEqual(['Progressing', 'Progressing', 'Progressing', 'Progressing', 'Paused']);
    expect(w.weights().canary).toBe(10);
    expect(paused).toEqual(['analysis']);
    const last = (await w.store.ledger(ID)).entries.at(-1);
    expect(last).toMatchObject({ kind: 'check', phase: 'Paused', decision: { action: 'pause' } });
    // Paused is not analysed: more ticks change nothing until a person acts.
    await w.tick();
    expect([(await w.state()).phase, w.weights().canary]).toEqual(['Paused', 10]);
  });

  it('advances one step, not two, when two analyze invocations race on the same rollout', async () => {
    const w = world();
    await w.start();
    w.advance(60_000);
    const results = await Promise.all([analyzeDue(w.analyzeDeps), analyzeDue(w.analyzeDeps)]);
    expect(
      results
        .flat()
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['decided', 'raced']);
    expect(w.bus.of('Step Promotion Requested')).toHaveLength(1);
    await w.deliver();
    expect(w.weights().canary).toBe(20);
  });

  it('applies a decision once however often it is delivered, and never an old one', async () => {
    const w = world();
    await w.start();
    w.advance(60_000);
    await analyzeDue(w.analyzeDeps);
    const [step] = w.bus.drain().filter((e) => e.detailType === 'Step Promotion Requested');
    if (!step) throw new Error('no step requested');
    expect((await applyDecision(w.applyDeps, step.detail)).outcome).toBe('applied');
    expect((await applyDecision(w.applyDeps, step.detail)).outcome).toBe('ignored');
    const stale = { ...step.detail, decisionId: 'from-an-older-state' };
    expect((await applyDecision(w.applyDeps, stale)).outcome).toBe('ignored');
    expect(w.weights().canary).toBe(20);
    expect(w.router.patches).toHaveLength(2);
  });

  it('lets a later rollback win over a step that is delivered after it', async () => {
    const w = world();
    await w.start();
    w.advance(60_000);
    await analyzeDue(w.analyzeDeps);
    const step = w.bus.drain().find((e) => e.detailType === 'Step Promotion Requested');
    const { transition } = await import('../../lib/domain/transition.ts');
    const outcome = transition(
      await w.state(),
      { type: 'rollback', cause: { type: 'operator', actor: 'a', reason: 'r' } },
      { now: new Date(), decisionId: 'rb' },
    );
    if (!outcome.ok) throw new Error(outcome.message);
    await w.store.commit(outcome.state, [outcome.entry]);
    await w.bus.publish(outcome.events);
    await w.deliver();
    expect(w.weights().canary).toBe(0);
    expect((await applyDecision(w.applyDeps, step?.detail ?? expect.fail('no step'))).outcome).toBe(
      'ignored',
    );
    expect(w.weights().canary).toBe(0);
  });

  it('re-reads and retries when the VirtualService changes under the guarded patch', async () => {
    const w = world();
    await w.start();
    w.advance(60_000);
    await analyzeDue(w.analyzeDeps);
    let touched = false;
    w.router.beforePatch = () => {
      if (touched) return;
      touched = true;
      const vs = w.router.read(REF);
      if (vs)
        w.router.put('sandbox', { ...vs, metadata: { ...vs.metadata, labels: { team: 'x' } } });
    };
    await w.deliver();
    expect(w.weights().canary).toBe(20);
    expect(w.router.read(REF)?.metadata.labels).toEqual({ team: 'x' });
  });

  it('fails the rollout, without retrying, when the VirtualService lacks the canary', async () => {
    const spec = seedSpec();
    spec.target.canary = { host: 'my-service-v3' };
    const broken = world(spec);
    await broken.start();
    expect((await broken.state()).phase).toBe('Failed');
    expect(broken.bus.of('Rollout Failed')).toHaveLength(1);
    expect(broken.router.patches).toHaveLength(0);
    const last = (await broken.store.ledger(ID)).entries.at(-1);
    expect(last?.message).toMatch(/no http route holding both destinations/);
  });

  it('publishes a lost decision again once it has waited too long', async () => {
    const w = world();
    await w.start();
    w.advance(60_000);
    await analyzeDue(w.analyzeDeps);
    const first = w.bus.drain().find((e) => e.detailType === 'Step Promotion Requested');
    w.advance(31_000);
    const [resent] = await analyzeDue(w.analyzeDeps);
    expect(resent?.outcome).toBe('resent');
    expect(w.bus.of('Step Promotion Requested')[0]?.detail.decisionId).toBe(
      first?.detail.decisionId,
    );
  });
});
