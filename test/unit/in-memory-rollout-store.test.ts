import { describe, expect, it } from 'vitest';
import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { fullState } from '../support/rollout-fixtures.ts';
import { rolloutStoreContract } from '../support/rollout-store-contract.ts';

rolloutStoreContract('in-memory rollout store', createInMemoryRolloutStore);

describe('the in-memory fake itself', () => {
  it('hands out copies, so a caller cannot change stored state without a commit', async () => {
    const store = createInMemoryRolloutStore();
    const state = fullState();
    await store.create(state, []);
    const read = (await store.get(state.id)) ?? expect.fail('not stored');
    read.phase = 'Aborted';
    read.spec.analysis.threshold = 99;
    expect(await store.get(state.id)).toEqual(state);
  });
});
