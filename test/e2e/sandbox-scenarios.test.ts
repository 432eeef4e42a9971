import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiClient } from '../../cli/api-client.ts';
import { consoleLink } from '../../cli/commands/sandbox-lines.ts';
import type { MetricResult } from '../../lib/domain/judge.ts';
import type { CompareEvidence } from '../../lib/domain/judge-compare.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { LedgerEntry } from '../../lib/domain/state.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import {
  runScenario,
  type ScenarioSummary,
  startScenarioStack,
} from '../../sandbox/run-scenario.ts';
import { type ScenarioName, sandboxSpec } from '../../sandbox/scenarios.ts';
import { SEED_TARGET, type Stack } from '../../sandbox/stack.ts';
import { kubectlGetVirtualService } from '../support/kubectl.ts';

/** The one metadata field kanari writes: the managing rollout and its revision. */
const KANARI_ANNOTATIONS = {
  'kanari.dev/rollout': 'sandbox/default/my-service',
  'kanari.dev/revision': '1',
};

/**
 * Everything in the object but what kanari may change (weights, its own annotations) and what
 * the server manages.
 */
const unmanaged = (vs: VirtualService, routesToo: boolean) => {
  const { resourceVersion: _rv, generation: _g, annotations, ...metadata } = vs.metadata;
  const others = Object.entries((annotations ?? {}) as Record<string, string>).filter(
    ([key]) => !key.startsWith('kanari.dev/'),
  );
  if (others.length > 0) Object.assign(metadata, { annotations: Object.fromEntries(others) });
  const http = (vs.spec.http ?? []).map((route) => ({
    ...route,
    route: route.route?.map((entry) => (routesToo ? entry : { ...entry, weight: 'managed' })),
  }));
  return {
    ...vs,
    metadata,
    spec: { ...vs.spec, http: routesToo ? http : [http[0], ...(vs.spec.http ?? []).slice(1)] },
  };
};

/** Every metric of every check in the ledger, in order. */
const checkMetrics = (entries: LedgerEntry[]): MetricResult[] =>
  entries.flatMap((e) => (e.kind === 'check' ? (e.check?.metrics ?? []) : []));

/**
 * The compare judge's evidence on a metric (its one test: the sandbox's metrics use the default
 * single bound); fails the test when there is none.
 */
const evidenceOf = (metric: MetricResult | undefined): CompareEvidence => {
  const evidence = (metric as { evidence?: { judge: string; tests?: CompareEvidence[] } })
    ?.evidence;
  const test = evidence?.judge === 'compare' ? evidence.tests?.[0] : undefined;
  if (!test) throw new Error(`metric ${metric?.name} has no compare evidence`);
  return test;
};

interface Observation {
  entry: LedgerEntry;
  vs: VirtualService;
}

const run = async (scenario: ScenarioName, beforeRun?: (stack: Stack) => Promise<void>) => {
  const stack = await startScenarioStack({
    scenario,
    onLog: (line) => console.log(`[${scenario}] ${line}`),
    dynamoEndpoint: inject('dynamoEndpoint'),
  });
  try {
    const seed = await kubectlGetVirtualService(stack.emulator.kubeconfigPath);
    await beforeRun?.(stack);
    const observed: Observation[] = [];
    const summary = await runScenario(stack, {
      scenario,
      interval: '5s',
      // Read with real kubectl what the ledger says was just applied.
      onEntry: async (entry) => {
        if (entry.kind !== 'applied') return;
        observed.push({ entry, vs: await kubectlGetVirtualService(stack.emulator.kubeconfigPath) });
      },
      onLog: (line) => console.log(`[${scenario}] ${line}`),
    });
    const { entries } = await createApiClient({
      url: stack.apiUrl,
      token: stack.apiToken,
    }).fullLedger(summary.rollout);
    // The console as its link opens it (the fragment stays in the browser), then its API calls.
    await (await fetch(consoleLink(stack.apiUrl, stack.apiToken))).text();
    const offlineLog = await readFile(join(stack.workDir, 'offline.log'), 'utf8');
    return {
      summary,
      observed,
      seed,
      entries,
      final: await kubectlGetVirtualService(stack.emulator.kubeconfigPath),
      offlineLog,
      apiToken: stack.apiToken,
    };
  } finally {
    await stack.stop();
  }
};

const expectObservationsMatchLedger = (observed: Observation[], seed: VirtualService) => {
  for (const { entry, vs } of observed) {
    // The next step may already be on; only compare what this entry wrote.
    if (vs.metadata.resourceVersion !== entry.applied?.resourceVersion) continue;
    const weights = currentWeights(vs, SEED_TARGET);
    expect(weights).toEqual(entry.applied?.weights);
    expect(weights.primary + weights.canary).toBe(100);
    if (entry.phase !== 'RolledBack') expect(unmanaged(vs, false)).toEqual(unmanaged(seed, false));
    // kubectl shows who moves the weights, from the first step on.
    expect(vs.metadata.annotations).toEqual(KANARI_ANNOTATIONS);
  }
  expect(
    observed.filter(
      ({ entry, vs }) => vs.metadata.resourceVersion === entry.applied?.resourceVersion,
    ).length,
  ).toBeGreaterThan(0);
};

describe('sandbox scenarios, end to end with real DynamoDB Local, Prometheus and kubectl', {
  timeout: 300_000,
}, () => {
  let healthy: Awaited<ReturnType<typeof run>>;
  let refused: {
    status: number;
    problems: { path: string }[];
    rollouts: number;
    resourceVersionBefore?: string;
    resourceVersionAfter?: string;
  };

  beforeAll(async () => {
    healthy = await run('healthy', async (stack) => {
      const api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
      const before = stack.virtualService().metadata.resourceVersion;
      const bad = sandboxSpec('5s') as Record<string, unknown> & {
        analysis: Record<string, unknown>;
      };
      bad.analysis = { ...bad.analysis, stepWeights: [10, 5], threshold: 0 };
      const error = await api
        .createRollout({
          ...bad,
          target: { ...(bad.target as object), namespace: 'Not_A_Namespace' },
        })
        .catch((e) => e);
      refused = {
        status: error.status,
        problems: error.body?.problems ?? [],
        rollouts: (await api.listRollouts()).rollouts.length,
        resourceVersionBefore: before,
        resourceVersionAfter: stack.virtualService().metadata.resourceVersion,
      };
    });
  }, 300_000);

  it('refuses an invalid spec with field paths and writes nothing to DynamoDB or Kubernetes', () => {
    expect(refused.status).toBe(400);
    expect(refused.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['target.namespace', 'analysis.threshold', 'analysis.stepWeights[1]']),
    );
    expect(refused.rollouts).toBe(0);
    expect(refused.resourceVersionAfter).toBe(refused.resourceVersionBefore);
  });

  it('healthy: walks every step on the compare judge and succeeds with the canary at 100', () => {
    const { summary, entries, observed, seed, final } = healthy;
    expect(summary.phase).toBe('Succeeded');
    // Holds (inconclusive) are allowed while evidence builds up; every step passed once.
    expect(summary.steps.filter((s) => s.verdict === 'pass').map((s) => s.weight)).toEqual([
      10, 20, 30, 40, 50,
    ]);
    expect(summary.steps.some((s) => s.verdict === 'fail')).toBe(false);
    expect(
      entries.filter((e) => e.kind === 'applied').map((e) => e.applied?.weights.canary),
    ).toEqual([10, 20, 30, 40, 50, 100]);
    expect(summary.finalWeights).toEqual({ primary: 0, canary: 100 });
    expect(currentWeights(final, SEED_TARGET)).toEqual({ primary: 0, canary: 100 });
    expectObservationsMatchLedger(observed, seed);
    // The /v2 prefix route and every other field stay exactly as they were.
    expect(unmanaged(final, false)).toEqual(unmanaged(seed, false));
    const check = entries.find((e) => e.kind === 'check')?.check;
    expect(check?.metrics.map((m) => m.name)).toEqual(['request-success-rate', 'request-duration']);
    const metrics = checkMetrics(entries);
    expect(metrics.every((m) => m.judge === 'compare')).toBe(true);
    // Each pass says why: the canary's rate against the primary's, bounded under the tolerance.
    const passed = metrics.filter((m) => m.verdict === 'pass');
    expect(passed.length).toBeGreaterThanOrEqual(10);
    for (const m of passed) {
      expect(m.reason).toMatch(/× primary .*→ non-inferior/);
      const e = evidenceOf(m);
      expect(e.rhoHigh).not.toBeNull();
      expect(e.rhoHigh as number).toBeLessThan(e.tolerance);
    }
  });

  it("keeps the API token and Node's version warnings out of the functions' log", () => {
    const { offlineLog, apiToken } = healthy;
    expect(offlineLog).toContain('GET /rollouts');
    expect(offlineLog.includes(apiToken)).toBe(false);
    // Nor the AWS SDK's Node version warning, once per function, on this Node 20.
    expect(offlineLog).not.toContain('NodeVersionSupportWarning');
  });

  for (const scenario of ['errors', 'latency'] as const) {
    describe(scenario, () => {
      let result: Awaited<ReturnType<typeof run>>;
      let summary: ScenarioSummary;
      beforeAll(async () => {
        result = await run(scenario);
        summary = result.summary;
      }, 300_000);

      it('fails at 10% on the compare judge and rolls back, with the canary at 0', () => {
        expect(summary.phase).toBe('RolledBack');
        expect(summary.steps.every((s) => s.weight === 10)).toBe(true);
        expect(summary.steps.at(-1)).toEqual({ weight: 10, verdict: 'fail' });
        expect(
          result.entries.filter((e) => e.kind === 'applied').map((e) => e.applied?.weights.canary),
        ).toEqual([10, 0]);
        expect(summary.finalWeights).toEqual({ primary: 100, canary: 0 });
        const rollback = result.entries.find(
          (e) => e.decision?.action === 'rollback' && e.kind === 'check',
        );
        expect(rollback?.cause).toEqual({ type: 'analysis' });
        const name = scenario === 'errors' ? 'request-success-rate' : 'request-duration';
        const metric = rollback?.check?.metrics.find((m) => m.name === name);
        expect(metric?.judge).toBe('compare');
        expect(metric?.verdict).toBe('fail');
        expect(metric?.reason).toMatch(/× primary .*e-value .* ≥ .*→ roll back/);
        // The evidence: counts on both sides, and an e-value at or above 1/α for this metric
        // (the rollout's α = 0.01 split across its two metrics: 1/α ≥ 100).
        const e = evidenceOf(metric);
        expect(e.canary.requests).toBeGreaterThan(0);
        expect(e.primary.requests).toBeGreaterThan(e.canary.requests);
        expect(e.canary.bad).toBeGreaterThan(0);
        expect(e.canary.bad / e.canary.requests).toBeGreaterThan(
          (2 * e.primary.bad) / e.primary.requests,
        );
        expect(e.threshold).toBeGreaterThanOrEqual(100);
        expect(e.eValue).toBeGreaterThanOrEqual(e.threshold);
        expect(e.rhoLow as number).toBeGreaterThan(1);
      });

      it('points the /v2 prefix route back at my-service and changes nothing else', () => {
        const { final, seed, observed } = result;
        expectObservationsMatchLedger(observed, seed);
        expect(final.spec.http?.[1]?.match).toEqual(seed.spec.http?.[1]?.match);
        const v2 = final.spec.http?.[1]?.route ?? [];
        expect(v2.filter((r) => (r.weight ?? 0) > 0).map((r) => r.destination.host)).toEqual([
          'my-service',
        ]);
        expect(v2.reduce((sum, r) => sum + (r.weight ?? 0), 0)).toBe(100);
        const expected = structuredClone(seed);
        const [canary, primary] = expected.spec.http?.[1]?.route ?? [];
        if (!canary || !primary) throw new Error('the seed has no /v2 route');
        canary.weight = 0;
        primary.weight = 100;
        expect(unmanaged(final, false)).toEqual(unmanaged(expected, false));
      });
    });
  }

  describe('shared-incident', () => {
    let result: Awaited<ReturnType<typeof run>>;
    beforeAll(async () => {
      result = await run('shared-incident');
    }, 300_000);

    it('does not roll the canary back when both sides answer 5% 5xx, and the ledger says they rose alike', () => {
      const { summary, entries } = result;
      expect(summary.phase).not.toBe('RolledBack');
      expect(summary.phase).toBe('Succeeded');
      expect(summary.steps.some((s) => s.verdict === 'fail')).toBe(false);
      expect(entries.some((e) => e.decision?.action === 'rollback')).toBe(false);
      // Checks during the incident: both sides' error rates are up (a 99% threshold on the
      // canary alone would have failed them), and the judge compares them: alike, so no
      // evidence against the canary.
      const during = checkMetrics(entries)
        .filter((m) => m.name === 'request-success-rate')
        .filter((m) => {
          const e = evidenceOf(m);
          return (
            e.canary.bad / Math.max(e.canary.requests, 1) > 0.03 &&
            e.primary.bad / Math.max(e.primary.requests, 1) > 0.03
          );
        });
      expect(during.length).toBeGreaterThan(0);
      for (const m of during) {
        expect(m.verdict).not.toBe('fail');
        const e = evidenceOf(m);
        expect(e.rateRatio as number).toBeGreaterThan(0.7);
        expect(e.rateRatio as number).toBeLessThan(1.4);
        expect(e.eValue).toBeLessThan(e.threshold);
        // A hold says what is still needed; a pass says how the two sides compare.
        if (m.verdict === 'pass') expect(m.reason).toMatch(/canary errors [0-9.]+× primary/);
      }
      expect(during.some((m) => m.verdict === 'pass')).toBe(true);
    });
  });

  describe('no-traffic', () => {
    let result: Awaited<ReturnType<typeof run>>;
    beforeAll(async () => {
      result = await run('no-traffic');
    }, 300_000);

    it('holds at the first step, waiting for traffic, and never promotes', () => {
      const { summary, entries, final } = result;
      expect(summary.held).toBe(true);
      expect(summary.phase).toBe('Progressing');
      expect(summary.waitingForTraffic).toBe(true);
      expect(summary.steps.length).toBeGreaterThanOrEqual(2);
      expect(summary.steps.every((s) => s.weight === 10 && s.verdict === 'inconclusive')).toBe(
        true,
      );
      expect(
        entries.filter((e) => e.kind === 'applied').map((e) => e.applied?.weights.canary),
      ).toEqual([10]);
      expect(entries.every((e) => (e.check?.weight ?? 10) <= 10)).toBe(true);
      expect(currentWeights(final, SEED_TARGET)).toEqual({ primary: 90, canary: 10 });
      for (const m of checkMetrics(entries)) {
        expect(m.waitingForTraffic).toBe(true);
        expect(m.reason).toContain('waiting for traffic');
      }
      expect(
        entries
          .filter((e) => e.kind === 'check')
          .every((e) => e.decision === undefined || e.decision.action === 'hold'),
      ).toBe(true);
    });
  });
});
