import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { EventDetail } from '../../lib/domain/events.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import type { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { emulatedApplyDeps } from '../support/emulated-apply.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

// Each Kubernetes API failure shift-traffic can meet, injected by the emulator, over the real
// adapter and DynamoDB Local: what is retried, what fails the rollout, what stays pending.

describe('shift-traffic against Kubernetes API faults', () => {
  let emulator: KubeEmulator;
  let deps: ApplyDeps;
  let bus: FakeEventBus;
  let namespaces = 0;

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    ({ deps, bus } = await emulatedApplyDeps(emulator, {
      table: 'kanari-faults',
      timeoutMs: 1000,
    }));
  });
  afterAll(() => emulator?.stop());

  /** A new rollout in its own namespace, its first step (to 10%) requested. */
  const rollout = async () => {
    emulator.clearFaults();
    const namespace = `faults-${++namespaces}`;
    emulator.seed(seedVirtualService(namespace));
    const base = seedSpec();
    const spec: RolloutSpec = { ...base, target: { ...base.target, namespace } };
    await startRollout(deps, spec, { type: 'scheduler' });
    const step = bus.drain().find((e) => e.detailType === 'Step Promotion Requested')?.detail;
    const id = `sandbox/${namespace}/my-service`;
    const vs = () =>
      emulator.read(
        'networking.istio.io/v1',
        'VirtualService',
        namespace,
        'my-service',
      ) as VirtualService;
    return {
      id,
      step: step ?? (expect.fail('no step') as EventDetail),
      canary: () => currentWeights(vs(), spec.target).canary,
      resourceVersion: () => vs().metadata.resourceVersion,
      state: () => deps.store.get(id),
      applied: async () =>
        (await deps.store.ledger(id)).entries.filter((e) => e.kind === 'applied').length,
    };
  };

  for (const [what, fault] of [
    ['a 500 twice', { count: 2, status: 500 }],
    ['a 503', { count: 1, status: 503 }],
    ['a 429', { count: 1, status: 429 }],
    ['a reset connection', { count: 1, reset: true }],
    ['a hung request', { count: 1, timeout: true }],
  ] as const) {
    it(`retries ${what} with backoff and applies the step once`, async () => {
      const r = await rollout();
      emulator.injectFaults({ ...fault, methods: ['PATCH'] });
      expect(await applyDecision(deps, r.step)).toMatchObject({ outcome: 'applied' });
      expect(r.canary()).toBe(10);
      expect(await r.applied()).toBe(1);
      expect((await r.state())?.phase).toBe('Progressing');
    });
  }

  it('gives up after its bounded retries: the decision stays pending and a later delivery applies it', async () => {
    const r = await rollout();
    emulator.injectFaults({ count: 20, status: 503 });
    await expect(applyDecision(deps, r.step)).rejects.toThrow(/unable to handle the request/);
    expect(r.canary()).toBe(0);
    expect((await r.state())?.pending?.decisionId).toBe(r.step.decisionId);
    emulator.clearFaults();
    expect(await applyDecision(deps, r.step)).toMatchObject({ outcome: 'applied' });
    expect(await r.applied()).toBe(1);
  });

  for (const [status, words] of [
    [401, /Unauthorized/],
    [403, /forbidden: User .* cannot patch resource "virtualservices"/],
    [404, /not found/],
  ] as const) {
    it(`fails the rollout at once on a ${status}, with the reason and an event`, async () => {
      const r = await rollout();
      const before = r.resourceVersion();
      const requests = emulator.requests;
      emulator.injectFaults({ count: 1, status, methods: ['PATCH'] });
      const outcome = await applyDecision(deps, r.step);
      expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(words) });
      expect(r.resourceVersion()).toBe(before);
      const state = await r.state();
      expect(state).toMatchObject({ phase: 'Failed' });
      expect(state?.message).toMatch(words);
      const failed = bus.of('Rollout Failed').filter((e) => e.detail.rolloutId === r.id);
      expect(failed).toHaveLength(1);
      expect(failed[0]?.detail.reason).toMatch(words);
      // No retry: one GET, then the one PATCH that was refused.
      expect(emulator.requests - requests).toBe(2);
    });
  }
});

describe('shift-traffic and DestinationRule subsets (make before break)', () => {
  let emulator: KubeEmulator;
  let deps: ApplyDeps;
  let bus: FakeEventBus;
  const namespace = 'subsets';
  const base = seedSpec();
  const spec: RolloutSpec = {
    ...base,
    target: {
      ...base.target,
      namespace,
      primary: { host: 'my-service', subset: 'stable' },
      canary: { host: 'my-service', subset: 'canary' },
    },
  };
  const virtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'my-service', namespace },
    spec: {
      hosts: ['my-service'],
      http: [
        {
          route: [
            { destination: { host: 'my-service', subset: 'stable' }, weight: 100 },
            { destination: { host: 'my-service', subset: 'canary' }, weight: 0 },
          ],
        },
      ],
    },
  };
  const rule = (subsets: string[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'my-service', namespace },
    spec: {
      host: 'my-service',
      subsets: subsets.map((name) => ({ name, labels: { version: name } })),
    },
  });
  const canary = () =>
    currentWeights(
      emulator.read(
        'networking.istio.io/v1',
        'VirtualService',
        namespace,
        'my-service',
      ) as VirtualService,
      spec.target,
    ).canary;

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    ({ deps, bus } = await emulatedApplyDeps(emulator, {
      table: 'kanari-subsets',
      timeoutMs: 1000,
    }));
  });
  afterAll(() => emulator?.stop());

  it('refuses a step toward a subset no DestinationRule defines, and fails the rollout saying so', async () => {
    emulator.seed(virtualService);
    emulator.seed(rule(['stable']));
    await startRollout(deps, spec, { type: 'scheduler' });
    const step = bus.drain().find((e) => e.detailType === 'Step Promotion Requested')?.detail;
    const outcome = await applyDecision(deps, step ?? expect.fail('no step'));
    expect(outcome).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(
        /refused to shift traffic: .*has no subset canary \(target.canary\); it has stable/,
      ),
    });
    expect(canary()).toBe(0);
    expect(await deps.store.get(`sandbox/${namespace}/my-service`)).toMatchObject({
      phase: 'Failed',
    });
  });

  it('shifts once the subset is defined', async () => {
    emulator.seed(rule(['stable', 'canary']));
    await startRollout(deps, spec, { type: 'scheduler' });
    const step = bus.drain().find((e) => e.detailType === 'Step Promotion Requested')?.detail;
    expect(await applyDecision(deps, step ?? expect.fail('no step'))).toMatchObject({
      outcome: 'applied',
    });
    expect(canary()).toBe(10);
  });
});
