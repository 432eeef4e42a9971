import type { VirtualService } from '../lib/domain/virtual-service.ts';

/** The VirtualService the project started from: a default route and a `/v2` prefix route. */
export const SEED_VIRTUAL_SERVICE: VirtualService = {
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'VirtualService',
  metadata: { name: 'my-service', namespace: 'default' },
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
};
