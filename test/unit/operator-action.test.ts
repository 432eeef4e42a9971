import { describe, expect, it } from 'vitest';
import {
  ActionNotAllowedError,
  type OperatorAction,
  operatorAction,
  ReasonRequiredError,
} from '../../lib/app/operator-action.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { RolloutNotFoundError, RolloutVersionConflictError } from '../../lib/ports/errors.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { fakePorts } from '../support/fake-ports.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const ID = 'sandbox/default/my-service';
const REF = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
const alice = { actor: 'alice', reason: 'p99 looks wrong in the dashboards' };

/** Fakes for every port, a clock, and shift-traffic delivering whatever was requested. */
const world = (store: RolloutStore = createInMemoryRolloutStore()) => {
  const { bus, router, core, deliver } = fakePorts({ store });
  const act = (action: OperatorAction, request: Partial<typeof alice> & { full?: boolean } = {}) =>
    operatorAction(core, ID, action, { ...alice, ...request });
  const snapshot = async () => ({
    phase: (await store.get(ID))?.phase,
    canary: currentWeights(router.read(REF) ?? seedVirtualService(), seedSpec().target).canary,
  });
  return { store, bus, core, deliver, act, snapshot };
};

const started = async (store?: RolloutStore) => {
  const w = world(store);
  await startRollout(w.core, seedSpec(), { type: 'operator', actor: 'ci', reason: 'deploy' });
  await w.deliver();
  w.bus.drain(); // what shift-traffic reported; each test looks at its own events
  return w;
};

describe('operator actions', () => {
  it('pauses, resumes, promotes a step, then promotes fully, each through shift-traffic', async () => {
    const w = await started();
    expect(await w.snapshot()).toEqual({ phase: 'Progressing', canary: 10 });

    await w.act('pause');
    expect(w.bus.published.map((e) => e.detailType)).toEqual(['Pause Requested']);
    await w.deliver();
    expect(await w.snapshot()).toEqual({ phase: 'Paused', canary: 10 });

    await w.act('resume');
    await w.deliver();
    expect(await w.snapshot()).toEqual({ phase: 'Progressing', canary: 10 });

    await w.act('promote');
    await w.deliver();
    expect(await w.snapshot()).toEqual({ phase: 'Progressing', canary: 20 });

    await w.act('promote', { full: true });
    await w.deliver();
    expect(await w.snapshot()).toEqual({ phase: 'Succeeded', canary: 100 });
  });

  it('rolls back with the actor and reason in the event and the ledger, then refuses a resume with the phase', async () => {
    const w = await started();
    const result = await w.act('rollback');
    expect(result.state.phase).toBe('RollingBack');
    const [requested] = w.bus.of('Rollback Requested');
    expect(requested?.detail.cause).toEqual({ type: 'operator', ...alice });
    await w.deliver();
    expect(await w.snapshot()).toEqual({ phase: 'RolledBack', canary: 0 });

    const { entries } = await w.store.ledger(ID);
    const action = entries.find((e) => e.kind === 'action');
    expect(action?.cause).toEqual({ type: 'operator', ...alice });
    expect(action?.decision).toMatchObject({ action: 'rollback', fromWeight: 10, targetWeight: 0 });

    const refused = await w.act('resume').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ActionNotAllowedError);
    expect(refused).toMatchObject({ action: 'resume', phase: 'RolledBack' });
    expect((await w.store.ledger(ID)).entries).toHaveLength(entries.length);
  });

  it('aborts to 0 and ends Aborted', async () => {
    const w = await started();
    await w.act('abort');
    await w.deliver();
    expect(await w.snapshot()).toEqual({ phase: 'Aborted', canary: 0 });
  });

  it('requires a reason and changes nothing without one', async () => {
    const w = await started();
    const before = await w.store.get(ID);
    await expect(w.act('rollback', { reason: '   ' })).rejects.toBeInstanceOf(ReasonRequiredError);
    expect(await w.store.get(ID)).toEqual(before);
    expect(w.bus.published).toEqual([]);
  });

  it('says when the rollout does not exist', async () => {
    const w = world();
    await expect(w.act('pause')).rejects.toBeInstanceOf(RolloutNotFoundError);
  });

  it('reads again and decides afresh when another writer commits first', async () => {
    const inner = createInMemoryRolloutStore();
    let races = 1;
    const racy: RolloutStore = {
      ...inner,
      async commit(state, entries) {
        if (races-- > 0) throw new RolloutVersionConflictError('someone else wrote first');
        return inner.commit(state, entries);
      },
    };
    const w = await started(inner);
    const result = await operatorAction({ ...w.core, store: racy }, ID, 'pause', alice);
    expect(result.state.phase).toBe('Paused');
    expect(races).toBe(-1);
  });

  it('gives up with the conflict after its attempts are used', async () => {
    const inner = createInMemoryRolloutStore();
    const w = await started(inner);
    const always: RolloutStore = {
      ...inner,
      commit: async () => {
        throw new RolloutVersionConflictError('always raced');
      },
    };
    await expect(
      operatorAction({ ...w.core, store: always, maxAttempts: 2 }, ID, 'pause', alice),
    ).rejects.toBeInstanceOf(RolloutVersionConflictError);
    expect(w.bus.published).toEqual([]);
  });
});
