import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiClient, createApiClient } from '../../cli/api-client.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { startScenarioStack } from '../../sandbox/run-scenario.ts';
import { sandboxSpec } from '../../sandbox/scenarios.ts';
import type { Stack } from '../../sandbox/stack.ts';
import { kubectlGetVirtualService, kubectlPatchVirtualService } from '../support/kubectl.ts';
import { runCli } from '../support/run-cli.ts';

// The sandbox's tick runs shift-traffic's drift check (osls offline), then analyze. A hand edit
// with kubectl mid-rollout is seen, recorded, and pauses the rollout; resume puts kanari's
// weights back.

const ID = 'sandbox/default/my-service';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('drift in the sandbox: kubectl patch mid-rollout', { timeout: 600_000 }, () => {
  let stack: Stack;
  let api: ApiClient;
  const weights = async () => {
    const vs = await kubectlGetVirtualService(stack.emulator.kubeconfigPath);
    return currentWeights(vs, sandboxSpec('1m').target);
  };
  /** Polls the rollout until `done` holds (shift-traffic runs on EventBridge, asynchronously). */
  const until = async (done: (rollout: RolloutState) => boolean): Promise<RolloutState> => {
    for (let i = 0; i < 120; i++) {
      const { rollout } = await api.getRollout(ID, { limit: 1 });
      if (done(rollout)) return rollout;
      await sleep(500);
    }
    throw new Error('the rollout never got there');
  };

  beforeAll(async () => {
    stack = await startScenarioStack({
      scenario: 'healthy',
      dynamoEndpoint: inject('dynamoEndpoint'),
      onLog: (line) => console.log(`[drift] ${line}`),
    });
    api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('records the edit, pauses, leaves the edit alone, and re-applies on resume', async () => {
    // A long interval: nothing but the drift check moves the rollout on a tick.
    await api.createRollout(sandboxSpec('1h', { thresholds: { min: 95, max: 500 } }));
    await until((r) => r.canaryWeight === 10 && !r.pending);
    expect(await weights()).toEqual({ primary: 90, canary: 10 });

    await kubectlPatchVirtualService(stack.emulator.kubeconfigPath, [
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 100 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 0 },
    ]);
    await stack.tick();
    const { rollout, entries } = await api.fullLedger(ID);
    expect(rollout).toMatchObject({
      phase: 'Paused',
      drift: { applied: { primary: 90, canary: 10 }, observed: { primary: 100, canary: 0 } },
    });
    expect(entries.at(-1)).toMatchObject({
      kind: 'drift',
      description:
        "Drift: kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0% → paused (resume to re-apply kanari's weights)",
    });
    for (let i = 0; i < 3; i++) await stack.tick();
    expect(await weights()).toEqual({ primary: 100, canary: 0 });
    expect((await api.fullLedger(ID)).entries.filter((e) => e.kind === 'drift')).toHaveLength(1);

    const env = { KANARI_URL: stack.apiUrl, KANARI_TOKEN: stack.apiToken, HOME: stack.workDir };
    const ledger = await runCli(['get', ID, '--ledger'], env);
    expect(ledger.code).toBe(0);
    expect(ledger.stdout).toContain(
      'Drift: kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0%',
    );

    await api.action(ID, 'resume', { reason: 'the edit was a mistake' });
    const resumed = await until((r) => r.phase === 'Progressing' && !r.pending);
    expect(resumed.drift).toBeUndefined();
    expect(await weights()).toEqual({ primary: 90, canary: 10 });
    const last = (await api.fullLedger(ID)).entries.at(-1);
    expect(last).toMatchObject({ kind: 'applied' });
    expect(last?.message).toMatch(/^Re-applied kanari's weights: primary 90% · canary 10%/);
  });
});
