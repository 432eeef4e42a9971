import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scheduledEvent } from '../../sandbox/control-plane.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';
import { type FunctionEnv, prepareFunctionEnv } from '../support/function-env.ts';
import { startInFlight } from '../support/in-flight-rollout.ts';

/** The seed VirtualService with the managed route at `primary`/`canary`. */
const withWeights = (primary: number, canary: number) => {
  const vs = seedVirtualService();
  const route = vs.spec.http?.[0]?.route ?? [];
  for (const entry of route)
    entry.weight = entry.destination.host === 'my-service' ? primary : canary;
  return vs;
};

describe("shift-traffic's schedule (functions/shift-traffic.ts, real EventBridge adapter)", () => {
  const ID = 'sandbox/default/my-service';
  let env: FunctionEnv;
  let emulator: KubeEmulator;
  let handler: (event: unknown, context: Context) => Promise<Record<string, unknown>>;
  const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    env = await prepareFunctionEnv(inject('dynamoEndpoint'), {
      KUBECONFIG: emulator.kubeconfigPath,
    });
    ({ handler } = (await import('../../functions/shift-traffic.ts')) as unknown as {
      handler: typeof handler;
    });
    // In flight at its first step; the cluster has the step's weights.
    await startInFlight(env.store, seedSpec());
    emulator.seed(withWeights(90, 10));
  });
  afterAll(async () => {
    await env?.restore();
    await emulator?.stop();
  });

  it("checks drift on a Scheduled Event and changes nothing while the weights are kanari's", async () => {
    const before = await env.snapshot();
    expect(await handler(scheduledEvent(), context)).toEqual({
      checked: 1,
      results: [{ id: ID, outcome: 'in-sync' }],
    });
    expect(await env.snapshot()).toEqual(before);
    expect(env.events).toHaveLength(0);
  });

  it('publishes Drift Detected on the bus and pauses when the weights were edited', async () => {
    emulator.seed(withWeights(100, 0));
    expect(await handler(scheduledEvent(), context)).toEqual({
      checked: 1,
      results: [{ id: ID, outcome: 'drift', phase: 'Paused', events: ['Drift Detected'] }],
    });
    expect(env.events.map((e) => [e.Source, e.DetailType])).toEqual([['kanari', 'Drift Detected']]);
    expect(JSON.parse(env.events[0]?.Detail ?? '{}')).toMatchObject({
      rolloutId: ID,
      phase: 'Paused',
      weights: { primary: 100, canary: 0 },
      drift: {
        applied: { primary: 90, canary: 10 },
        observed: { primary: 100, canary: 0 },
        action: 'pause',
      },
    });
    expect((await env.store.get(ID))?.phase).toBe('Paused');
  });

  it('still drops a malformed traffic event', async () => {
    expect(
      await handler({ source: 'kanari', 'detail-type': 'Rollback Requested' }, context),
    ).toEqual({
      outcome: 'ignored',
      reason: 'malformed event',
    });
  });
});
