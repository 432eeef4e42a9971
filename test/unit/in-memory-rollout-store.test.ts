import { createInMemoryRolloutStore } from '../fakes/in-memory-rollout-store.ts';
import { rolloutStoreContract } from '../support/rollout-store-contract.ts';

rolloutStoreContract('in-memory rollout store', createInMemoryRolloutStore);
