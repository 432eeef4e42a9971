import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';

/** The VirtualService the project started from: a default route and a `/v2` prefix route. */
export const seedVirtualService = (namespace = 'default'): VirtualService => ({
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'VirtualService',
  metadata: { name: 'my-service', namespace },
  spec: {
    hosts: ['my-service'],
    http: [
      {
        match: [{ uri: { prefix: '/' } }],
        route: [
          { destination: { host: 'my-service', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'my-service-v2', port: { number: 80 } }, weight: 0 },
        ],
      },
      {
        match: [{ uri: { prefix: '/v2' } }],
        route: [
          { destination: { host: 'my-service-v2', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'my-service', port: { number: 80 } }, weight: 0 },
        ],
      },
    ],
  },
});

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
