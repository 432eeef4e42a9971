import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Phase } from '../../lib/domain/phase.ts';
import { isScheduledState, type LedgerEntry, type RolloutState } from '../../lib/domain/state.ts';
import {
  InvalidCursorError,
  RolloutExistsError,
  RolloutVersionConflictError,
  TargetOwnedError,
} from '../../lib/ports/errors.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import {
  at,
  fullEntry,
  fullState,
  ledgerEntry,
  NOW,
  next,
  rolloutState,
  T0,
} from './rollout-fixtures.ts';

const messages = (entries: LedgerEntry[]): string[] => entries.map((entry) => entry.message);
const ids = (states: RolloutState[]): string[] => states.map((state) => state.id);

/** The due index's order: nextCheckAt, then id, compared as DynamoDB compares keys (UTF-8). */
const dueOrder = (states: RolloutState[]): string[] =>
  states
    .filter(isScheduledState)
    .map((state) => ({
      id: state.id,
      key: Buffer.from(`${new Date(state.nextCheckAt).toISOString()}#${state.id}`),
    }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ id }) => id);

/** Rollouts due now, at a few hundred distinct instants (so ties too), each its own target. */
export const dueFleet = (count: number, prefix = 'prod/fleet'): RolloutState[] =>
  Array.from({ length: count }, (_, i) =>
    rolloutState(`${prefix}-${i % 7}/r-${i}`, { nextCheckAt: at(-((i * 37) % 240) / 4) }),
  );

/** Stores many rollouts at once, as `create` would store their states. */
export type SeedMany = (store: RolloutStore, states: RolloutState[]) => Promise<void>;

/** Creates many rollouts, a few dozen at a time. */
export const seedMany: SeedMany = async (store, states) => {
  for (let start = 0; start < states.length; start += 40)
    await Promise.all(states.slice(start, start + 40).map((state) => store.create(state, [])));
};

/**
 * The behaviour every RolloutStore must have. Each test gets a fresh, empty store from
 * `makeStore`.
 */
export const rolloutStoreContract = (
  name: string,
  makeStore: () => RolloutStore | Promise<RolloutStore>,
  /** A faster way to store the large fleets (a thousand rollouts and more); `create` if absent. */
  bulk: { seedMany?: SeedMany } = {},
): void => {
  const seedFleet = bulk.seedMany ?? seedMany;
  describe(`${name} (RolloutStore contract)`, () => {
    let store: RolloutStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    const seed = async (state: RolloutState, ...entryMessages: string[]) => {
      await store.create(
        state,
        entryMessages.map((message) => ledgerEntry(state, message)),
      );
      return state;
    };
    const ledgerOf = async (id: string) => messages((await store.ledger(id)).entries);

    describe('round trip', () => {
      it('gives back a full state exactly, pending decision included', async () => {
        const state = fullState();
        await store.create(state, [fullEntry(state)]);
        expect(await store.get(state.id)).toStrictEqual(state);
        expect((await store.ledger(state.id)).entries).toStrictEqual([fullEntry(state)]);
      });

      it('gives back a state without optional fields with those fields absent', async () => {
        const state = rolloutState();
        await store.create({ ...state, pending: undefined, finishedAt: undefined }, []);
        const got = await store.get(state.id);
        expect(got).toStrictEqual(state);
        expect(got && 'pending' in got).toBe(false);
      });

      it('returns undefined for a rollout it does not have', async () => {
        expect(await store.get('prod/shop/nothing')).toBeUndefined();
      });

      it('returns copies: changing a returned state changes nothing stored', async () => {
        const state = await seed(rolloutState());
        const got = await store.get(state.id);
        if (got) got.spec.target.cluster = 'changed';
        expect(await store.get(state.id)).toStrictEqual(state);
      });
    });

    describe('commitAll', () => {
      it('writes every commit, and a stale one fails alone with its own conflict', async () => {
        // 60 rollouts: 120 items, more than one DynamoDB transaction holds.
        const seeded = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            seed(rolloutState(`prod/shop/batch-${i}`), 'started'),
          ),
        );
        const stale = 17;
        const commits = seeded.map((v1, i) => {
          const v2 = next(v1, {
            canaryWeight: 20,
            ...(i === stale ? { version: v1.version + 5 } : {}),
          });
          return { state: v2, entries: [ledgerEntry(v2, `step of ${i}`)] };
        });
        const results = await store.commitAll(commits);
        expect(
          results.map((r, i) => (r === undefined ? i : -1)).filter((i) => i >= 0),
        ).toHaveLength(59);
        expect(results[stale]).toBeInstanceOf(RolloutVersionConflictError);
        for (const [i, v1] of seeded.entries()) {
          const stored = await store.get(v1.id);
          expect(stored?.canaryWeight).toBe(i === stale ? v1.canaryWeight : 20);
          expect(await ledgerOf(v1.id)).toEqual(
            i === stale ? ['started'] : ['started', `step of ${i}`],
          );
        }
      });

      it('answers nothing for no commits', async () => {
        expect(await store.commitAll([])).toEqual([]);
      });
    });

    describe('commit', () => {
      it('writes the state and appends its entries when the stored version is the previous one', async () => {
        const v1 = await seed(rolloutState(), 'started');
        const v2 = next(v1, { canaryWeight: 20, stepIndex: 1 });
        await store.commit(v2, [ledgerEntry(v2, 'step 2', { at: at(1) })]);
        expect(await store.get(v1.id)).toStrictEqual(v2);
        expect(await ledgerOf(v1.id)).toEqual(['started', 'step 2']);
      });

      it('refuses a stale version and writes nothing, neither state nor ledger', async () => {
        const v1 = await seed(rolloutState(), 'started');
        const v2 = next(v1, { canaryWeight: 20 });
        await store.commit(v2, [ledgerEntry(v2, 'step 2')]);
        const stale = next(v1, { canaryWeight: 50 });
        await expect(store.commit(stale, [ledgerEntry(stale, 'stale')])).rejects.toBeInstanceOf(
          RolloutVersionConflictError,
        );
        await expect(store.commit(next(v2, { version: 7 }), [])).rejects.toBeInstanceOf(
          RolloutVersionConflictError,
        );
        expect(await store.get(v1.id)).toStrictEqual(v2);
        expect(await ledgerOf(v1.id)).toEqual(['started', 'step 2']);
      });

      it('refuses to commit a rollout that was never created', async () => {
        const state = rolloutState('prod/shop/ghost', { version: 2 });
        await expect(store.commit(state, [ledgerEntry(state, 'x')])).rejects.toBeInstanceOf(
          RolloutVersionConflictError,
        );
        expect(await store.get(state.id)).toBeUndefined();
        expect(await ledgerOf(state.id)).toEqual([]);
      });

      it('lets exactly one of two concurrent commits on the same version win', async () => {
        const v1 = await seed(rolloutState(), 'started');
        const a = next(v1, { canaryWeight: 20, message: 'a' });
        const b = next(v1, { phase: 'RollingBack', message: 'b' });
        const results = await Promise.allSettled([
          store.commit(a, [ledgerEntry(a, 'a')]),
          store.commit(b, [ledgerEntry(b, 'b')]),
        ]);
        const won = results.flatMap((result, i) =>
          result.status === 'fulfilled' ? [[a, b][i]] : [],
        );
        const lost = results.flatMap((result) =>
          result.status === 'rejected' ? [result.reason] : [],
        );
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]).toBeInstanceOf(RolloutVersionConflictError);
        const winner = won[0] as RolloutState;
        expect(await store.get(v1.id)).toStrictEqual(winner);
        expect(await ledgerOf(v1.id)).toEqual(['started', winner.message]);
      });
    });

    describe('create', () => {
      it.each<Phase>(['Pending', 'Progressing', 'Paused', 'WaitingPromotion', 'RollingBack'])(
        'refuses to replace a %s rollout and writes nothing',
        async (phase) => {
          const active = await seed(rolloutState(undefined, { phase }), 'started');
          const again = rolloutState(undefined, { revision: 2, phase: 'Pending' });
          await expect(store.create(again, [ledgerEntry(again, 'again')])).rejects.toBeInstanceOf(
            RolloutExistsError,
          );
          expect(await store.get(active.id)).toStrictEqual(active);
          expect(await ledgerOf(active.id)).toEqual(['started']);
        },
      );

      it.each<Phase>(['Succeeded', 'RolledBack', 'Failed', 'Aborted'])(
        'starts a new revision over a %s rollout, keeping the old ledger first',
        async (phase) => {
          const old = await seed(rolloutState(undefined, { version: 9, phase }), 'old revision');
          const fresh = rolloutState(undefined, { revision: 2, version: 1, phase: 'Pending' });
          await store.create(fresh, [ledgerEntry(fresh, 'new revision', { at: at(-30) })]);
          expect(await store.get(old.id)).toStrictEqual(fresh);
          expect(await ledgerOf(old.id)).toEqual(['old revision', 'new revision']);
        },
      );
    });

    describe('ownership of a VirtualService', () => {
      /** A rollout named `name` whose target is the VirtualService `cart` of prod/shop. */
      const onCart = (name: string, overrides: Partial<RolloutState> = {}) => {
        const state = rolloutState(`prod/shop/${name}`, overrides);
        return {
          ...state,
          spec: { ...state.spec, target: { ...state.spec.target, virtualService: 'cart' } },
        };
      };

      it('refuses a second active rollout of the same VirtualService, naming the owner, and writes nothing', async () => {
        await seed(onCart('cart'), 'first');
        const second = onCart('cart-two');
        const error = await store
          .create(second, [ledgerEntry(second, 'second')])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TargetOwnedError);
        expect((error as TargetOwnedError).owner).toBe('prod/shop/cart');
        expect((error as Error).message).toMatch(
          /VirtualService shop\/cart in cluster "prod" is owned by rollout prod\/shop\/cart/,
        );
        expect(await store.get(second.id)).toBeUndefined();
        expect(await ledgerOf(second.id)).toEqual([]);
      });

      it('lets another rollout take it once the owner has ended, and the owner its own next revision', async () => {
        const first = await seed(onCart('cart'), 'first');
        expect(await store.owner(first.spec.target)).toBe('prod/shop/cart');
        await store.commit(next(first, { phase: 'RolledBack', finishedAt: at(0) }), []);
        expect(await store.owner(first.spec.target)).toBeUndefined();
        const second = onCart('cart-two');
        await store.create(second, [ledgerEntry(second, 'second')]);
        expect((await store.get(second.id))?.phase).toBe('Progressing');
        // Now the first may not come back while the second runs.
        const again = onCart('cart', { revision: 2, version: 3, phase: 'Pending' });
        await expect(store.create(again, [])).rejects.toBeInstanceOf(TargetOwnedError);
        await store.commit(next(second, { phase: 'Succeeded', finishedAt: at(1) }), []);
        await store.create(again, [ledgerEntry(again, 'again')]);
        const third = onCart('cart', { revision: 3, version: 5, phase: 'Pending' });
        await store.commit(next(again, { phase: 'Aborted', finishedAt: at(2) }), []);
        await store.create(third, []);
        expect((await store.get('prod/shop/cart'))?.revision).toBe(3);
      });
    });

    describe('append', () => {
      it('adds entries without touching the state', async () => {
        const state = await seed(rolloutState(), 'started');
        await store.append([ledgerEntry(state, 'held', { at: at(1) })]);
        expect(await store.get(state.id)).toStrictEqual(state);
        expect(await ledgerOf(state.id)).toEqual(['started', 'held']);
      });

      it('never overwrites: identical entries, and entries sharing a commit version, are all kept', async () => {
        const v1 = await seed(rolloutState(), 'started');
        const duplicate = ledgerEntry(v1, 'duplicate', { at: at(1) });
        await store.append([duplicate]);
        await store.append([duplicate]);
        const v2 = next(v1);
        await store.commit(v2, [ledgerEntry(v2, 'commit', { at: at(2) })]);
        await store.append([ledgerEntry(v2, 'after commit', { at: at(3) })]);
        expect(await ledgerOf(v1.id)).toEqual([
          'started',
          'duplicate',
          'duplicate',
          'commit',
          'after commit',
        ]);
      });

      it('keeps a batch in its order', async () => {
        const state = await seed(rolloutState());
        const batch = ['c', 'a', 'b'].map((message) => ledgerEntry(state, message));
        await store.append(batch);
        expect(await ledgerOf(state.id)).toEqual(['c', 'a', 'b']);
      });
    });

    describe('listInFlight', () => {
      it('returns every scheduled rollout, due or not, oldest nextCheckAt first', async () => {
        await seed(rolloutState('prod/a/later', { nextCheckAt: at(5) }));
        await seed(rolloutState('prod/a/progressing', { nextCheckAt: at(-2) }));
        await seed(
          rolloutState('prod/a/waiting', { phase: 'WaitingPromotion', nextCheckAt: at(1) }),
        );
        await seed(
          rolloutState('prod/a/rolling-back', { phase: 'RollingBack', nextCheckAt: at(-3) }),
        );
        await seed(rolloutState('prod/a/pending', { phase: 'Pending', nextCheckAt: at(-5) }));
        await seed(rolloutState('prod/a/paused', { phase: 'Paused', nextCheckAt: at(-9) }));
        await seed(rolloutState('prod/a/failed', { phase: 'Failed', nextCheckAt: at(-9) }));
        expect(ids(await store.listInFlight(50))).toEqual([
          'prod/a/pending',
          'prod/a/rolling-back',
          'prod/a/progressing',
          'prod/a/waiting',
          'prod/a/later',
        ]);
        expect(ids(await store.listInFlight(2))).toEqual(['prod/a/pending', 'prod/a/rolling-back']);
      });

      it('drops a rollout once it is terminal, with its drift as stored', async () => {
        const state = await seed(rolloutState('prod/a/one', { nextCheckAt: at(3) }));
        const drift = {
          applied: { primary: 90, canary: 10 },
          observed: { primary: 100, canary: 0 },
          detectedAt: at(0),
          action: 'reapply' as const,
        };
        const v2 = next(state, { drift });
        await store.commit(v2, []);
        expect(await store.listInFlight(10)).toStrictEqual([v2]);
        await store.commit(next(v2, { phase: 'Aborted', finishedAt: at(0) }), []);
        expect(await store.listInFlight(10)).toEqual([]);
        await expect(store.listInFlight(0)).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('listDue', () => {
      const fleet = async () => {
        await seed(rolloutState('prod/a/progressing', { nextCheckAt: at(-2) }));
        await seed(rolloutState('prod/a/pending', { phase: 'Pending', nextCheckAt: at(-5) }));
        await seed(
          rolloutState('prod/a/waiting', { phase: 'WaitingPromotion', nextCheckAt: at(-1) }),
        );
        await seed(
          rolloutState('prod/a/rolling-back', { phase: 'RollingBack', nextCheckAt: at(-3) }),
        );
        // Same instant written another way: due at exactly now.
        await seed(rolloutState('prod/a/now', { nextCheckAt: '2030-01-01T12:00:00Z' }));
        await seed(rolloutState('prod/a/paused', { phase: 'Paused', nextCheckAt: at(-9) }));
        await seed(rolloutState('prod/a/succeeded', { phase: 'Succeeded', nextCheckAt: at(-9) }));
        await seed(rolloutState('prod/a/aborted', { phase: 'Aborted', nextCheckAt: at(-9) }));
        await seed(rolloutState('prod/a/later', { nextCheckAt: at(0.001) }));
      };

      it('returns only scheduled rollouts that are due, oldest nextCheckAt first', async () => {
        await fleet();
        expect(ids(await store.listDue(NOW, 50))).toEqual([
          'prod/a/pending',
          'prod/a/rolling-back',
          'prod/a/progressing',
          'prod/a/waiting',
          'prod/a/now',
        ]);
      });

      it('returns at most `limit` rollouts, the oldest', async () => {
        await fleet();
        expect(ids(await store.listDue(NOW, 2))).toEqual(['prod/a/pending', 'prod/a/rolling-back']);
      });

      it('refuses a limit that is not a positive integer', async () => {
        await expect(store.listDue(NOW, 0)).rejects.toBeInstanceOf(RangeError);
      });

      it('drops a rollout once it is terminal or its next check moves into the future', async () => {
        const a = await seed(rolloutState('prod/a/one', { nextCheckAt: at(-2) }));
        const b = await seed(rolloutState('prod/a/two', { nextCheckAt: at(-1) }));
        expect(ids(await store.listDue(NOW, 10))).toEqual([a.id, b.id]);
        await store.commit(next(a, { phase: 'Succeeded', finishedAt: at(0) }), []);
        await store.commit(next(b, { nextCheckAt: at(1) }), []);
        expect(await store.listDue(NOW, 10)).toEqual([]);
        expect(ids(await store.listDue(new Date(T0 + 60_000), 10))).toEqual([b.id]);
      });

      it('drops a paused rollout and takes it back when it resumes', async () => {
        const v1 = await seed(rolloutState());
        const v2 = next(v1, { phase: 'Paused', pausedFrom: 'Progressing' });
        await store.commit(v2, []);
        expect(await store.listDue(NOW, 10)).toEqual([]);
        const v3 = next(v2, { phase: 'Progressing', pausedFrom: undefined });
        await store.commit(v3, []);
        const due = await store.listDue(NOW, 10);
        expect(ids(due)).toEqual([v1.id]);
        expect(due[0]?.version).toBe(3);
        expect(due[0] && 'pausedFrom' in due[0]).toBe(false);
      });
    });

    describe('listDue and listInFlight without a limit', () => {
      it('return every due rollout past any page, in nextCheckAt order, none twice', async () => {
        const fleet = dueFleet(1_200);
        const later = dueFleet(30, 'prod/later').map((state) => ({
          ...state,
          nextCheckAt: at(5),
        }));
        const paused = dueFleet(30, 'prod/paused').map((state) => ({
          ...state,
          phase: 'Paused' as const,
        }));
        const started = performance.now();
        await seedFleet(store, [...fleet, ...later, ...paused]);
        const seeded = performance.now();
        const due = ids(await store.listDue(NOW));
        const listed = performance.now();
        const inFlight = ids(await store.listInFlight());
        console.log(
          `${name}: seeded ${fleet.length + 60} rollouts in ${Math.round(seeded - started)} ms; ` +
            `listDue returned ${due.length} in ${Math.round(listed - seeded)} ms, ` +
            `listInFlight ${inFlight.length} in ${Math.round(performance.now() - listed)} ms`,
        );
        expect(due).toHaveLength(1_200);
        expect(new Set(due).size).toBe(1_200);
        expect(due).toEqual(dueOrder(fleet));
        expect(inFlight).toEqual(dueOrder([...fleet, ...later]));
        expect(ids(await store.listDue(NOW, 75))).toEqual(due.slice(0, 75));
        expect(ids(await store.listInFlight(1_210))).toEqual(inFlight.slice(0, 1_210));
      });

      it('list what a model of the due index lists, for any fleet and limit', async () => {
        const phases: Phase[] = ['Pending', 'Progressing', 'WaitingPromotion', 'Paused', 'Failed'];
        const fleet = fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z0-9-]{1,6}$/),
            minutes: fc.integer({ min: -20, max: 20 }),
            phase: fc.constantFrom(...phases),
            pending: fc.boolean(),
          }),
          { selector: (r) => r.name, maxLength: 30 },
        );
        await fc.assert(
          fc.asyncProperty(fleet, fc.integer({ min: 1, max: 40 }), async (rows, limit) => {
            const fresh = await makeStore();
            const pending = fullState().pending;
            const states = rows.map((row) =>
              rolloutState(`prod/prop/${row.name}`, {
                nextCheckAt: at(row.minutes / 2),
                phase: row.phase,
                ...(row.pending ? { pending } : {}),
              }),
            );
            await seedMany(fresh, states);
            const due = dueOrder(states.filter((state) => Date.parse(state.nextCheckAt) <= T0));
            expect(ids(await fresh.listDue(NOW))).toEqual(due);
            expect(ids(await fresh.listDue(NOW, limit))).toEqual(due.slice(0, limit));
            expect(ids(await fresh.listInFlight())).toEqual(dueOrder(states));
            expect(ids(await fresh.listInFlight(limit))).toEqual(dueOrder(states).slice(0, limit));
          }),
          { numRuns: 8 },
        );
      });

      it('include a terminal rollout whose decision is still pending, so it is re-sent', async () => {
        const finalizing = rolloutState('prod/a/finalizing', {
          phase: 'Succeeded',
          finishedAt: at(-1),
          pending: fullState().pending,
        });
        await seed(finalizing);
        await seed(rolloutState('prod/a/done', { phase: 'Succeeded', finishedAt: at(-1) }));
        expect(await store.listDue(NOW)).toStrictEqual([finalizing]);
        expect(await store.listInFlight()).toStrictEqual([finalizing]);
        await store.commit(next(finalizing, { pending: undefined }), []);
        expect(await store.listDue(NOW)).toEqual([]);
        expect(await store.listInFlight()).toEqual([]);
      });
    });

    describe('getMany', () => {
      it('gives the states in the order asked, each once, leaving out ids it does not have', async () => {
        const a = await seed(rolloutState('prod/shop/a'));
        const b = await seed(rolloutState('prod/shop/b', { phase: 'Succeeded' }));
        const c = await seed(fullState());
        expect(await store.getMany([c.id, 'prod/shop/none', a.id, c.id, b.id])).toStrictEqual([
          c,
          a,
          b,
        ]);
        expect(await store.getMany(['prod/shop/none'])).toEqual([]);
        expect(await store.getMany([])).toEqual([]);
      });

      it('reads more ids than one batch holds', async () => {
        const fleet = dueFleet(250);
        await seedFleet(store, fleet);
        const asked = [...ids(fleet)].reverse();
        const got = await store.getMany([
          ...asked.slice(0, 120),
          'prod/x/none',
          ...asked.slice(120),
        ]);
        expect(ids(got)).toEqual(asked);
        expect(got[0]).toStrictEqual(fleet.at(-1));
      });

      it('returns copies', async () => {
        const state = await seed(rolloutState());
        const [got] = await store.getMany([state.id]);
        if (got) got.phase = 'Aborted';
        expect(await store.getMany([state.id])).toStrictEqual([state]);
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        await seed(rolloutState('prod/shop/cart'));
        await seed(rolloutState('prod/shop/api', { phase: 'Paused' }));
        await seed(rolloutState('prod/auth/login', { phase: 'Succeeded' }));
        await seed(rolloutState('prod-eu/shop/cart'));
        await seed(rolloutState('dev/shop/cart', { phase: 'Paused' }));
      });

      it('lists every rollout by cluster, namespace and name', async () => {
        expect(ids(await store.list({}))).toEqual([
          'dev/shop/cart',
          'prod-eu/shop/cart',
          'prod/auth/login',
          'prod/shop/api',
          'prod/shop/cart',
        ]);
      });

      it('filters by cluster without matching clusters that merely share a prefix', async () => {
        expect(ids(await store.list({ cluster: 'prod' }))).toEqual([
          'prod/auth/login',
          'prod/shop/api',
          'prod/shop/cart',
        ]);
      });

      it('filters by cluster and namespace, namespace alone, and phase', async () => {
        expect(ids(await store.list({ cluster: 'prod', namespace: 'shop' }))).toEqual([
          'prod/shop/api',
          'prod/shop/cart',
        ]);
        expect(ids(await store.list({ namespace: 'shop' }))).toEqual([
          'dev/shop/cart',
          'prod-eu/shop/cart',
          'prod/shop/api',
          'prod/shop/cart',
        ]);
        expect(ids(await store.list({ phase: 'Paused' }))).toEqual([
          'dev/shop/cart',
          'prod/shop/api',
        ]);
        expect(ids(await store.list({ cluster: 'prod', phase: 'Paused' }))).toEqual([
          'prod/shop/api',
        ]);
        expect(await store.list({ cluster: 'staging' })).toEqual([]);
      });
    });

    describe('ledger', () => {
      it('pages oldest first with a cursor that is absent on the last page', async () => {
        const state = await seed(rolloutState(), 'e1', 'e2');
        let current = state;
        for (const message of ['e3', 'e4', 'e5']) {
          current = next(current);
          await store.commit(current, [ledgerEntry(current, message)]);
        }
        const first = await store.ledger(state.id, { limit: 2 });
        expect(messages(first.entries)).toEqual(['e1', 'e2']);
        expect(first.cursor).toEqual(expect.any(String));
        const second = await store.ledger(state.id, { limit: 2, cursor: first.cursor });
        expect(messages(second.entries)).toEqual(['e3', 'e4']);
        const third = await store.ledger(state.id, { limit: 2, cursor: second.cursor });
        expect(messages(third.entries)).toEqual(['e5']);
        expect(third.cursor).toBeUndefined();
        const all = await store.ledger(state.id);
        expect(messages(all.entries)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
        expect(all.cursor).toBeUndefined();
      });

      it('gives no cursor when the last page is exactly full', async () => {
        const state = await seed(rolloutState(), 'e1', 'e2', 'e3', 'e4');
        const first = await store.ledger(state.id, { limit: 2 });
        const second = await store.ledger(state.id, { limit: 2, cursor: first.cursor });
        expect(messages(second.entries)).toEqual(['e3', 'e4']);
        expect(second.cursor).toBeUndefined();
      });

      it("shows only the rollout's own entries", async () => {
        await seed(rolloutState('prod/shop/cart'), 'cart');
        await seed(rolloutState('prod/shop/cart-v2'), 'cart-v2');
        expect(await ledgerOf('prod/shop/cart')).toEqual(['cart']);
        expect(await store.ledger('prod/shop/none')).toEqual({ entries: [] });
      });

      it("refuses a malformed cursor or another rollout's cursor", async () => {
        await seed(rolloutState('prod/shop/cart'), 'a', 'b');
        await seed(rolloutState('prod/shop/api'), 'c', 'd');
        const { cursor } = await store.ledger('prod/shop/api', { limit: 1 });
        await expect(
          store.ledger('prod/shop/cart', { cursor: 'not-a-cursor' }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.ledger('prod/shop/cart', { cursor })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
      });
    });
  });
};
