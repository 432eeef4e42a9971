import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { SEED_VIRTUAL_SERVICE } from '../../sandbox/seed.ts';

/** The VirtualService the project started from, in a namespace of the test's choosing. */
export const seedVirtualService = (namespace = 'default'): VirtualService => {
  const vs = structuredClone(SEED_VIRTUAL_SERVICE);
  vs.metadata.namespace = namespace;
  return vs;
};

/** A valid spec for the seed, with overrides. */
export const seedSpec = (
  overrides: Partial<RolloutSpec['analysis']> = {},
  cluster = 'sandbox',
): RolloutSpec => ({
  name: 'my-service',
  target: {
    cluster,
    namespace: 'default',
    virtualService: 'my-service',
    primary: { host: 'my-service' },
    canary: { host: 'my-service-v2' },
  },
  analysis: {
    interval: '1m',
    threshold: 2,
    stepWeights: [10, 20, 30, 40, 50],
    progressDeadline: '10m',
    minSampleSize: 10,
    metrics: [
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ],
    ...overrides,
  },
});
