import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiClient } from '../../cli/api-client.ts';
import { durationMs } from '../../lib/domain/duration.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { LedgerEntry } from '../../lib/domain/state.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { CANARY_ALERT } from '../../sandbox/alerting.ts';
import {
  runScenario,
  type ScenarioSummary,
  startScenarioStack,
} from '../../sandbox/run-scenario.ts';
import { SCENARIO_DEFINITIONS } from '../../sandbox/scenarios.ts';
import { SEED_TARGET, type Stack } from '../../sandbox/stack.ts';
import { kubectlGetVirtualService } from '../support/kubectl.ts';

const INTERVAL = SCENARIO_DEFINITIONS.alert.interval ?? '';

interface Refusal {
  what: string;
  status: number;
  error: unknown;
}

/** Bad deliveries over real HTTP, through serverless-offline, before any rollout exists. */
const sendBadInputs = async (stack: Stack): Promise<Refusal[]> => {
  const post = async (
    what: string,
    path: string,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return {
      what,
      status: response.status,
      error: (JSON.parse(text) as { error?: unknown }).error,
    };
  };
  const valid = JSON.stringify({ version: '4', status: 'firing', alerts: [] });
  return [
    await post('no token', '/alerts/alertmanager', valid),
    await post('wrong token', '/alerts/alertmanager', valid, { authorization: 'Bearer nope' }),
    await post('unknown source', '/alerts/nagios', valid),
    await post(
      'over 1 MiB',
      '/alerts/alertmanager',
      JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
      {
        authorization: 'Bearer nope',
      },
    ),
  ];
};

describe('alert-driven rollback end to end: Prometheus rule → real Alertmanager → webhook → rollback', {
  timeout: 300_000,
}, () => {
  let summary: ScenarioSummary;
  let entries: LedgerEntry[];
  let final: VirtualService;
  let refusals: Refusal[];
  let untouched: { rollouts: number; before?: string; after?: string };
  let firingInAlertmanager: { fingerprint: string; labels: Record<string, string> }[] = [];
  const logged: string[] = [];

  beforeAll(async () => {
    const log = (line: string) => {
      logged.push(line);
      console.log(`[alert] ${line}`);
    };
    const stack = await startScenarioStack({
      scenario: 'alert',
      onLog: log,
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
    try {
      const api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
      const before = stack.virtualService().metadata.resourceVersion;
      refusals = await sendBadInputs(stack);
      untouched = {
        rollouts: (await api.listRollouts()).rollouts.length,
        before,
        after: stack.virtualService().metadata.resourceVersion,
      };
      summary = await runScenario(stack, {
        scenario: 'alert',
        interval: INTERVAL,
        onLog: log,
        // Ask Alertmanager what it holds as soon as the rollback is in the ledger.
        onEntry: async (entry) => {
          if (entry.decision?.action !== 'rollback' || entry.kind !== 'action') return;
          const response = await fetch(`${stack.alertmanager?.url}/api/v2/alerts`);
          firingInAlertmanager = (await response.json()) as typeof firingInAlertmanager;
        },
      });
      ({ entries } = await api.fullLedger(summary.rollout));
      final = await kubectlGetVirtualService(stack.emulator.kubeconfigPath);
    } finally {
      await stack.stop();
    }
  }, 300_000);

  it('says when Alertmanager starts and when it is ready, as for every service', () => {
    expect(logged).toContain('  … Alertmanager              starting');
    expect(logged.some((line) => /^ {2}✓ Alertmanager +ready in \d+(\.\d)? m?s$/.test(line))).toBe(
      true,
    );
  });

  it('refuses bad deliveries with their status and changes nothing', () => {
    expect(refusals.map(({ what, status }) => [what, status])).toEqual([
      ['no token', 401],
      ['wrong token', 401],
      ['unknown source', 404],
      ['over 1 MiB', 413],
    ]);
    expect(refusals.every((r) => typeof r.error === 'string' && r.error.length > 0)).toBe(true);
    expect(untouched.rollouts).toBe(0);
    expect(untouched.after).toBe(untouched.before);
  });

  it('rolls the canary back to 0, as real kubectl reads the VirtualService', () => {
    expect(summary).toMatchObject({ phase: 'RolledBack', cause: 'alert', alert: CANARY_ALERT });
    expect(currentWeights(final, SEED_TARGET)).toEqual({ primary: 100, canary: 0 });
    const v2 = final.spec.http?.[1]?.route ?? [];
    expect(v2.filter((r) => (r.weight ?? 0) > 0).map((r) => r.destination.host)).toEqual([
      'my-service',
    ]);
  });

  it("records the alert as the cause, with Alertmanager's fingerprint and the alert's labels", () => {
    const rollback = entries.find((e) => e.kind === 'action' && e.decision?.action === 'rollback');
    expect(rollback?.cause).toMatchObject({
      type: 'alert',
      source: 'alertmanager',
      name: CANARY_ALERT,
      labels: { alertname: CANARY_ALERT, service: 'my-service', severity: 'critical' },
    });
    const fingerprints = firingInAlertmanager
      .filter((alert) => alert.labels.alertname === CANARY_ALERT)
      .map((alert) => alert.fingerprint);
    expect(fingerprints).toContain(
      rollback?.cause.type === 'alert' ? rollback.cause.id : undefined,
    );
    expect(entries.at(-1)).toMatchObject({
      kind: 'applied',
      phase: 'RolledBack',
      cause: { type: 'alert' },
    });
  });

  it('rolls back before the first analysis tick could have run', () => {
    expect(entries.filter((e) => e.kind === 'check')).toEqual([]);
    const firstStep = entries.find((e) => e.kind === 'applied' && e.applied?.weights.canary === 10);
    const rollback = entries.find((e) => e.kind === 'action' && e.decision?.action === 'rollback');
    if (!firstStep || !rollback) throw new Error('the ledger lacks the first step or the rollback');
    // The first check is due one interval after the first step was applied.
    expect(Date.parse(rollback.at)).toBeLessThan(Date.parse(firstStep.at) + durationMs(INTERVAL));
    expect(rollback.decision).toMatchObject({ fromWeight: 10, targetWeight: 0 });
  });
});
