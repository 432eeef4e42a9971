import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eksClusterEndpoint } from '../../lib/adapters/kubernetes/eks-cluster.ts';
import {
  createEksTokenProvider,
  createKubernetesTrafficRouter,
  type EksTokenProvider,
  eksKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { TrafficForbiddenError, TrafficTargetNotFoundError } from '../../lib/ports/errors.ts';
import type { VirtualServiceRef } from '../../lib/ports/traffic-router.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';
import { scopeOf, signedRight, TEST_CREDENTIALS } from '../support/sigv4-check.ts';

// AWS's documented example key pair: not a real secret. Nothing here calls STS: the emulator
// stands in for the cluster and accepts exactly the token minted for the fixed clock.
const CREDENTIALS = TEST_CREDENTIALS;
const START = new Date('2030-01-01T12:00:00Z');
const REF: VirtualServiceRef = { cluster: 'prod-eu', namespace: 'default', name: 'my-service' };

const provider = (clusterName: string, now = () => START): EksTokenProvider =>
  createEksTokenProvider({ clusterName, region: 'eu-west-1', credentials: CREDENTIALS, now });

let emulator: KubeEmulator;
let caData: string;

const routerWith = (tokenProvider: EksTokenProvider) =>
  createKubernetesTrafficRouter({
    kubeConfigs: {
      'prod-eu': eksKubeConfig({
        name: 'prod-eu',
        endpoint: { server: emulator.url, caData },
        tokenProvider,
      }),
    },
    timeoutMs: 2_000,
  });

beforeAll(async () => {
  emulator = await startKubeEmulator({ token: await provider('eks-prod-eu')() });
  caData = (await readFile(emulator.caFile)).toString('base64');
  emulator.seed(seedVirtualService());
});

afterAll(async () => {
  await emulator?.stop();
});

describe('EKS kubeconfig against the Kubernetes API emulator', () => {
  it('reads the VirtualService over TLS with the IAM token as bearer', async () => {
    const vs = await routerWith(provider('eks-prod-eu')).getVirtualService(REF);
    expect(vs.metadata.name).toBe('my-service');
    expect(vs.spec.http?.[0]?.route?.map((r) => r.weight)).toEqual([100, 0]);
  });

  it('asks the provider for a token on every request', async () => {
    const inner = provider('eks-prod-eu');
    let calls = 0;
    const router = routerWith(() => {
      calls += 1;
      return inner();
    });
    await router.getVirtualService(REF);
    await router.getVirtualService(REF);
    expect(calls).toBe(2);
  });

  it('is refused with TrafficForbiddenError when the token is for another cluster', async () => {
    await expect(routerWith(provider('eks-other')).getVirtualService(REF)).rejects.toBeInstanceOf(
      TrafficForbiddenError,
    );
  });

  it('sends the refreshed token once the cached one is 14 minutes old', async () => {
    let at = START.getTime();
    const router = routerWith(provider('eks-prod-eu', () => new Date(at)));
    await router.getVirtualService(REF);
    // The emulator accepts only the first token, so a refusal proves a new one was sent.
    at += 14 * 60_000;
    await expect(router.getVirtualService(REF)).rejects.toBeInstanceOf(TrafficForbiddenError);
  });
});

describe('EKS cluster looked up with eks:DescribeCluster', () => {
  // A local stand-in for EKS's DescribeCluster, which refuses requests not signed as SigV4 says.
  let asked: { path: string; scope: string }[] = [];
  let failNext = 0;
  let eks = '';
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      if (!signedRight(req, '')) return res.writeHead(403).end('{"message":"bad signature"}');
      asked.push({ path: String(req.url), scope: scopeOf(req) });
      if (failNext > 0) {
        failNext -= 1;
        return res
          .writeHead(500, { 'x-amzn-errortype': 'ServerException' })
          .end('{"message":"try again"}');
      }
      if (req.url !== '/clusters/eks-prod-eu')
        return res
          .writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' })
          .end('{"message":"No cluster found for name: nope."}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          cluster: {
            name: 'eks-prod-eu',
            endpoint: emulator.url,
            certificateAuthority: { data: caData },
            status: 'ACTIVE',
          },
        }),
      );
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    eks = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const lookedUp = (eksName: string) =>
    createKubernetesTrafficRouter({
      kubeConfigs: {
        'prod-eu': eksKubeConfig({
          name: 'prod-eu',
          endpoint: {
            lookup: eksClusterEndpoint(eksName, {
              region: 'eu-west-1',
              endpoint: eks,
              credentials: CREDENTIALS,
              retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 },
            }),
          },
          tokenProvider: provider('eks-prod-eu'),
        }),
      },
      timeoutMs: 2_000,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
    });

  it('finds the endpoint and CA at the first request, signed for eks, and keeps them', async () => {
    asked = [];
    const router = lookedUp('eks-prod-eu');
    expect(asked).toEqual([]);
    expect((await router.getVirtualService(REF)).metadata.name).toBe('my-service');
    await router.getVirtualService(REF);
    expect(asked).toEqual([{ path: '/clusters/eks-prod-eu', scope: 'eu-west-1/eks/aws4_request' }]);
  });

  it('asks again after a failed lookup, which the request retries', async () => {
    asked = [];
    failNext = 1;
    expect((await lookedUp('eks-prod-eu').getVirtualService(REF)).metadata.name).toBe('my-service');
    expect(asked).toHaveLength(2);
  });

  it('names a cluster EKS does not know', async () => {
    const error = await lookedUp('nope')
      .getVirtualService(REF)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrafficTargetNotFoundError);
    expect((error as Error).message).toBe(
      'eks:DescribeCluster nope in eu-west-1: No cluster found for name: nope.',
    );
  });
});
