export { MalformedItemError } from './errors.ts';
export { createDynamoRolloutStore, type DynamoRolloutStoreOptions } from './rollout-store.ts';
