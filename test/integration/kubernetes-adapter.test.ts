import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createKubernetesTrafficRouter,
  KubeApiError,
  loadKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import {
  TrafficConflictError,
  TrafficForbiddenError,
  TrafficTargetNotFoundError,
  TrafficUnavailableError,
} from '../../lib/ports/errors.ts';
import type { TrafficRouter, VirtualServiceRef } from '../../lib/ports/traffic-router.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';

const MY_SERVICE = seedVirtualService();

const REF: VirtualServiceRef = { cluster: 'sandbox', namespace: 'default', name: 'my-service' };
const SHIFT_TO_CANARY = [
  { op: 'replace' as const, path: '/spec/http/0/route/0/weight', value: 90 },
  { op: 'replace' as const, path: '/spec/http/0/route/1/weight', value: 10 },
];

let emu: KubeEmulator;
let router: TrafficRouter;

const stored = () =>
  emu.read('networking.istio.io/v1', 'VirtualService', 'default', 'my-service') as VirtualService;
const weights = (vs: VirtualService) => vs.spec.http?.[0]?.route?.map((r) => r.weight);

beforeAll(async () => {
  emu = await startKubeEmulator();
  const kc = loadKubeConfig({ kubeconfigPath: emu.kubeconfigPath, context: 'sandbox' });
  router = createKubernetesTrafficRouter({ kubeConfigs: { sandbox: kc }, timeoutMs: 1_000 });
});

afterAll(async () => {
  await emu?.stop();
});

beforeEach(() => {
  emu.clearFaults();
  emu.seed(MY_SERVICE);
});

describe('Kubernetes traffic router against the emulator', () => {
  it('gets the VirtualService through v1 with its weights and resourceVersion', async () => {
    const vs = await router.getVirtualService(REF);
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(weights(vs)).toEqual([100, 0]);
    expect(vs.metadata.resourceVersion).toBe(stored().metadata.resourceVersion);
  });

  it('reads through another served version when configured to', async () => {
    const kc = loadKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
    const alpha = createKubernetesTrafficRouter({
      kubeConfigs: { sandbox: kc },
      version: 'v1alpha3',
    });
    expect((await alpha.getVirtualService(REF)).apiVersion).toBe('networking.istio.io/v1alpha3');
  });

  it('applies a guarded patch, bumping resourceVersion, and returns the stored object', async () => {
    const before = await router.getVirtualService(REF);
    const after = await router.patchVirtualService(
      REF,
      before.metadata.resourceVersion ?? '',
      SHIFT_TO_CANARY,
    );
    expect(weights(after)).toEqual([90, 10]);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    expect(weights(stored())).toEqual([90, 10]);
    expect(stored().metadata.resourceVersion).toBe(after.metadata.resourceVersion);
  });

  it('refuses a patch guarded by a stale resourceVersion with TrafficConflictError and changes nothing', async () => {
    const read = await router.getVirtualService(REF);
    await router.patchVirtualService(REF, read.metadata.resourceVersion ?? '', [
      { op: 'replace', path: '/spec/http/1/route/0/weight', value: 80 },
      { op: 'replace', path: '/spec/http/1/route/1/weight', value: 20 },
    ]);
    const before = stored();
    const error = await router
      .patchVirtualService(REF, read.metadata.resourceVersion ?? '', SHIFT_TO_CANARY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrafficConflictError);
    expect((error as Error).cause).toBeInstanceOf(KubeApiError);
    expect(((error as Error).cause as KubeApiError).code).toBe(422);
    expect(stored()).toEqual(before);
  });

  it('treats a patch the schema rejects (422) as a conflict, as the port says, and changes nothing', async () => {
    const read = await router.getVirtualService(REF);
    const before = stored();
    await expect(
      router.patchVirtualService(REF, read.metadata.resourceVersion ?? '', [
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 'ninety' },
      ]),
    ).rejects.toThrow(TrafficConflictError);
    expect(stored()).toEqual(before);
  });

  it('reports an unknown VirtualService or cluster as TrafficTargetNotFoundError', async () => {
    const missing = { ...REF, name: 'nope' };
    await expect(router.getVirtualService(missing)).rejects.toThrow(TrafficTargetNotFoundError);
    await expect(router.patchVirtualService(missing, '1', SHIFT_TO_CANARY)).rejects.toThrow(
      /virtualservices\.networking\.istio\.io "nope" not found/,
    );
    await expect(router.getVirtualService({ ...REF, cluster: 'prod' })).rejects.toThrow(
      TrafficTargetNotFoundError,
    );
  });

  it('reports a refused token as TrafficForbiddenError', async () => {
    const good = loadKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
    const wrong = { ...good, token: () => 'not-the-token' };
    const intruder = createKubernetesTrafficRouter({ kubeConfigs: { sandbox: wrong } });
    const error = await intruder.getVirtualService(REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrafficForbiddenError);
    expect(((error as Error).cause as KubeApiError).code).toBe(401);
  });

  it('maps an injected 409 to TrafficConflictError, not retried', async () => {
    const read = await router.getVirtualService(REF);
    const requests = emu.requests;
    emu.injectFaults({ count: 1, status: 409, methods: ['PATCH'] });
    await expect(
      router.patchVirtualService(REF, read.metadata.resourceVersion ?? '', SHIFT_TO_CANARY),
    ).rejects.toThrow(TrafficConflictError);
    expect(emu.requests - requests).toBe(1);
    expect(weights(stored())).toEqual([100, 0]);
  });

  it('retries a 500 and a request never answered, then names what stayed down', async () => {
    emu.injectFaults({ count: 1, status: 500 });
    emu.injectFaults({ count: 1, timeout: true });
    expect(weights(await router.getVirtualService(REF))).toEqual([100, 0]);
    const requests = emu.requests;
    emu.injectFaults({ count: 10, status: 500 });
    const error = await router.getVirtualService(REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrafficUnavailableError);
    expect((error as Error).message).toMatch(/Internal error occurred: fault injected/);
    // The first try and three retries (the default policy), then it gives up.
    expect(emu.requests - requests).toBe(4);
    emu.clearFaults();
    emu.injectFaults({ count: 10, timeout: true });
    const hung = await router.getVirtualService(REF).catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(TrafficUnavailableError);
    expect((hung as Error).message).toMatch(/did not answer in time/);
    emu.clearFaults();
  }, 20_000);

  it('loadKubeConfig refuses a context the kubeconfig does not have', () => {
    expect(() => loadKubeConfig({ kubeconfigPath: emu.kubeconfigPath, context: 'prod' })).toThrow(
      /context "prod" not found/,
    );
  });
});
