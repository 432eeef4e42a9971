import { describe, expect, it } from 'vitest';
import { type IntakeDeps, intakeAlerts } from '../../lib/app/intake-alert.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { Alert } from '../../lib/domain/alert-matching.ts';
import type { AlertsSpec, RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { transition } from '../../lib/domain/transition.ts';
import { RolloutVersionConflictError } from '../../lib/ports/errors.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const ID = 'sandbox/default/my-service';
const REF = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
const ALERTS: AlertsSpec = {
  bakeWindow: '10m',
  matchers: [
    { labels: { alertname: 'CanaryHighErrorRate', service: 'my-service' }, action: 'rollback' },
    { labelsRegex: { alertname: 'CanarySlow.*' }, action: 'pause' },
  ],
};

const firing = (alertname: string, overrides: Partial<Alert> = {}): Alert => ({
  source: 'alertmanager',
  id: `fp-${alertname}`,
  name: alertname,
  status: 'firing',
  labels: { alertname, service: 'my-service', severity: 'critical' },
  ...overrides,
});

/** One rollout at its first step (10%), fakes for every port, and a log that keeps lines. */
const world = async (spec: RolloutSpec = { ...seedSpec(), alerts: ALERTS }) => {
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const { store, bus, router, core, deliver, advance } = fakePorts({
    log: (message, fields) => logged.push({ message, fields }),
  });
  const intake: IntakeDeps = core;
  await startRollout(core, spec, { type: 'operator', actor: 'test', reason: 'start' });
  await deliver();
  bus.drain(); // what the start published is not under test
  const state = async () => (await store.get(ID)) as RolloutState;
  const ledger = async () => (await store.ledger(ID)).entries;
  return {
    store,
    bus,
    intake,
    logged,
    deliver,
    state,
    ledger,
    weights: () => currentWeights(router.read(REF) ?? seedVirtualService(), spec.target),
    advance,
  };
};

describe('alert intake', () => {
  it('rolls back a progressing rollout on a matching firing alert, with the alert as cause', async () => {
    const w = await world();
    expect((await w.state()).phase).toBe('Progressing');
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });

    const outcomes = await intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]);

    expect(outcomes).toEqual([
      {
        alert: {
          source: 'alertmanager',
          id: 'fp-CanaryHighErrorRate',
          name: 'CanaryHighErrorRate',
          status: 'firing',
        },
        outcome: 'matched',
        rollouts: [
          expect.objectContaining({
            rolloutId: ID,
            action: 'rollback',
            outcome: 'rollback-requested',
          }),
        ],
      },
    ]);
    const [requested] = w.bus.of('Rollback Requested');
    expect(requested?.detail.cause).toEqual({
      type: 'alert',
      source: 'alertmanager',
      id: 'fp-CanaryHighErrorRate',
      name: 'CanaryHighErrorRate',
      labels: { alertname: 'CanaryHighErrorRate', service: 'my-service', severity: 'critical' },
    });
    await w.deliver();
    expect((await w.state()).phase).toBe('RolledBack');
    expect(w.weights()).toEqual({ primary: 100, canary: 0 });
    const applied = (await w.ledger()).at(-1);
    expect(applied).toMatchObject({
      kind: 'applied',
      cause: { type: 'alert', id: 'fp-CanaryHighErrorRate' },
    });
  });

  it('rolls back once when the same alert is delivered again, before and after it is applied', async () => {
    const w = await world();
    await intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]);
    const again = await intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]);
    expect(again[0]).toMatchObject({ outcome: 'matched', rollouts: [{ outcome: 'duplicate' }] });
    expect(w.bus.of('Rollback Requested')).toHaveLength(1);
    await w.deliver();
    const later = await intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]);
    expect(later[0]).toMatchObject({ outcome: 'matched', rollouts: [{ outcome: 'duplicate' }] });

    const rollbacks = (await w.ledger()).filter(
      (entry) => entry.kind === 'action' && entry.decision?.action === 'rollback',
    );
    expect(rollbacks).toHaveLength(1);
    expect(w.bus.of('Rollback Requested')).toHaveLength(0); // none since deliver() drained the first
  });

  it('rolls back once when two deliveries race on the same rollout', async () => {
    const w = await world();
    const [first, second] = await Promise.all([
      intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]),
      intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]),
    ]);
    const results = [first?.[0], second?.[0]].map((o) =>
      o?.outcome === 'matched' ? o.rollouts[0]?.outcome : o?.outcome,
    );
    expect(results.sort()).toEqual(['duplicate', 'rollback-requested']);
    expect(w.bus.of('Rollback Requested')).toHaveLength(1);
  });

  it('handles two alerts of one delivery that match the same rollout as one rollback', async () => {
    const w = await world();
    const outcomes = await intakeAlerts(w.intake, [
      firing('CanaryHighErrorRate', { id: 'fp-a' }),
      firing('CanaryHighErrorRate', {
        id: 'fp-b',
        labels: { alertname: 'CanaryHighErrorRate', service: 'my-service', pod: 'b' },
      }),
    ]);
    expect(
      outcomes.map((o) => (o.outcome === 'matched' ? o.rollouts[0]?.outcome : o.outcome)),
    ).toEqual(['rollback-requested', 'duplicate']);
    expect(w.bus.of('Rollback Requested')).toHaveLength(1);
  });

  it('does nothing for a resolved alert', async () => {
    const w = await world();
    const before = await w.ledger();
    const outcomes = await intakeAlerts(w.intake, [
      firing('CanaryHighErrorRate', { status: 'resolved' }),
    ]);
    expect(outcomes[0]?.outcome).toBe('resolved');
    expect((await w.state()).phase).toBe('Progressing');
    expect(await w.ledger()).toEqual(before);
    expect(w.bus.published).toHaveLength(0);
  });

  it('logs an unmatched alert and writes it to no ledger', async () => {
    const w = await world();
    const before = await w.ledger();
    const outcomes = await intakeAlerts(w.intake, [
      firing('DiskFull', { labels: { alertname: 'DiskFull', service: 'my-service' } }),
    ]);
    expect(outcomes[0]?.outcome).toBe('unmatched');
    expect((await w.state()).phase).toBe('Progressing');
    expect(await w.ledger()).toEqual(before);
    expect(w.bus.published).toHaveLength(0);
    expect(w.logged).toEqual([
      {
        message: 'alert matched no rollout',
        fields: expect.objectContaining({
          name: 'DiskFull',
          labels: { alertname: 'DiskFull', service: 'my-service' },
        }),
      },
    ]);
  });

  it('pauses when the matcher says pause, and pauses once', async () => {
    const w = await world();
    const outcomes = await intakeAlerts(w.intake, [firing('CanarySlowP99')]);
    expect(outcomes[0]).toMatchObject({ rollouts: [{ action: 'pause', outcome: 'paused' }] });
    expect((await w.state()).phase).toBe('Paused');
    expect(w.bus.of('Pause Requested')[0]?.detail.cause).toMatchObject({
      type: 'alert',
      name: 'CanarySlowP99',
    });
    expect(w.weights()).toEqual({ primary: 90, canary: 10 });
    const again = await intakeAlerts(w.intake, [firing('CanarySlowP99')]);
    expect(again[0]).toMatchObject({ rollouts: [{ outcome: 'duplicate' }] });
    // A paused rollout still rolls back when a rollback alert fires.
    await intakeAlerts(w.intake, [firing('CanaryHighErrorRate')]);
    await w.deliver();
    expect((await w.state()).phase).toBe('RolledBack');
  });

  it('rolls back a succeeded rollout within its bake window, and not after', async () => {
    const promoted = async () => {
      const w = await world({ ...seedSpec({ stepWeights: [50] }), alerts: ALERTS });
      // Promote by hand as an operator would, so the rollout succeeds.
      const state = await w.state();
      const outcome = transition(
        state,
        { type: 'promote', cause: { type: 'operator', actor: 't', reason: 'ship it' }, full: true },
        { now: new Date(Date.parse(state.updatedAt)), decisionId: 'promote-1' },
      );
      if (!outcome.ok) throw new Error(outcome.message);
      await w.store.commit(outcome.state, [outcome.entry]);
      w.bus.published.push(...outcome.events);
      await w.deliver();
      expect((await w.state()).phase).toBe('Succeeded');
      return w;
    };

    const baking = await promoted();
    baking.advance(9 * 60_000);
    const outcomes = await intakeAlerts(baking.intake, [firing('CanaryHighErrorRate')]);
    expect(outcomes[0]).toMatchObject({ rollouts: [{ outcome: 'rollback-requested' }] });
    await baking.deliver();
    expect((await baking.state()).phase).toBe('RolledBack');
    expect(baking.weights()).toEqual({ primary: 100, canary: 0 });

    const baked = await promoted();
    baked.advance(11 * 60_000);
    const late = await intakeAlerts(baked.intake, [firing('CanaryHighErrorRate')]);
    expect(late[0]?.outcome).toBe('unmatched');
    expect((await baked.state()).phase).toBe('Succeeded');
  });

  it('retries after a version conflict and gives up after its attempts', async () => {
    const w = await world();
    let conflicts = 1;
    const flaky: RolloutStore = {
      ...w.store,
      commit: async (state, entries) => {
        if (conflicts-- > 0) throw new RolloutVersionConflictError('someone else wrote first');
        return w.store.commit(state, entries);
      },
    };
    const outcomes = await intakeAlerts({ ...w.intake, store: flaky }, [
      firing('CanaryHighErrorRate'),
    ]);
    expect(outcomes[0]).toMatchObject({ rollouts: [{ outcome: 'rollback-requested' }] });

    const v = await world();
    const stuck: RolloutStore = {
      ...v.store,
      commit: async () => {
        throw new RolloutVersionConflictError('always');
      },
    };
    await expect(
      intakeAlerts({ ...v.intake, store: stuck, maxAttempts: 2 }, [firing('CanaryHighErrorRate')]),
    ).rejects.toThrow(RolloutVersionConflictError);
    expect((await v.state()).phase).toBe('Progressing');
  });

  it('reads CloudWatch alarm tags only when a matcher needs them', async () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:canary-5xx';
    const alarm: Alert = {
      source: 'cloudwatch',
      id: arn,
      name: 'canary-5xx',
      status: 'firing',
      labels: { alertname: 'canary-5xx' },
      alarm: { arn },
    };
    const asked: string[] = [];
    const alarmTags = {
      tagsOf: async (given: string) => {
        asked.push(given);
        return { service: 'my-service' };
      },
    };
    const byName = await world({
      ...seedSpec(),
      alerts: { bakeWindow: '0s', matchers: [{ alarmNames: ['canary-5xx'], action: 'rollback' }] },
    });
    await intakeAlerts({ ...byName.intake, alarmTags }, [alarm]);
    expect(asked).toEqual([]);
    expect((await byName.state()).phase).toBe('RollingBack');

    const byTag = await world({
      ...seedSpec(),
      alerts: {
        bakeWindow: '0s',
        matchers: [{ alarmTags: { service: 'my-service' }, action: 'rollback' }],
      },
    });
    const outcomes = await intakeAlerts({ ...byTag.intake, alarmTags }, [alarm]);
    expect(asked).toEqual([arn]);
    expect(outcomes[0]).toMatchObject({ rollouts: [{ outcome: 'rollback-requested' }] });
  });
});

describe('an alert belongs to the revisions live when it started firing', () => {
  it('a replayed alert of a rolled-back revision does not roll back the next one', async () => {
    const w = await world();
    w.advance(60_000);
    const alert = firing('CanaryHighErrorRate', {
      startsAt: new Date(Date.parse('2026-01-01T00:00:30Z')).toISOString(),
    });
    const [first] = await intakeAlerts(w.intake, [alert]);
    expect(first).toMatchObject({ rollouts: [{ outcome: 'rollback-requested' }] });
    await w.deliver();
    expect((await w.state()).phase).toBe('RolledBack');
    // The fix ships as revision 2; the old alert is delivered again (replayed, or still firing).
    w.advance(60_000);
    await startRollout(
      w.intake,
      { ...seedSpec(), alerts: ALERTS },
      { type: 'operator', actor: 'test', reason: 'retry' },
    );
    await w.deliver();
    const revision2 = await w.state();
    expect(revision2).toMatchObject({ revision: 2, phase: 'Progressing' });
    const [replayed] = await intakeAlerts(w.intake, [alert]);
    expect(replayed).toMatchObject({
      outcome: 'matched',
      rollouts: [
        {
          rolloutId: ID,
          outcome: 'stale',
          message: expect.stringMatching(
            /before revision 2 started at .*; it is about an earlier revision/,
          ),
        },
      ],
    });
    expect(await w.state()).toEqual(revision2);
    // The same alert firing anew, after revision 2 started, is about revision 2.
    w.advance(1000);
    const anew = {
      ...alert,
      startsAt: new Date(Date.parse(revision2.createdAt) + 500).toISOString(),
    };
    const [fresh] = await intakeAlerts(w.intake, [anew]);
    expect(fresh).toMatchObject({ rollouts: [{ outcome: 'rollback-requested' }] });
  });
});
