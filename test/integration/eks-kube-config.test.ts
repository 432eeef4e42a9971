import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEksTokenProvider,
  createKubernetesTrafficRouter,
  type EksTokenProvider,
  eksKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { TrafficForbiddenError } from '../../lib/ports/errors.ts';
import type { VirtualServiceRef } from '../../lib/ports/traffic-router.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';

// AWS's documented example key pair: not a real secret. Nothing here calls STS: the emulator
// stands in for the cluster and accepts exactly the token minted for the fixed clock.
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const START = new Date('2030-01-01T12:00:00Z');
const REF: VirtualServiceRef = { cluster: 'prod-eu', namespace: 'default', name: 'my-service' };

const provider = (clusterName: string, now = () => START): EksTokenProvider =>
  createEksTokenProvider({ clusterName, region: 'eu-west-1', credentials: CREDENTIALS, now });

let emulator: KubeEmulator;
let caData: string;

const routerWith = (tokenProvider: EksTokenProvider) =>
  createKubernetesTrafficRouter({
    kubeConfigs: {
      'prod-eu': eksKubeConfig({ name: 'prod-eu', server: emulator.url, caData, tokenProvider }),
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
