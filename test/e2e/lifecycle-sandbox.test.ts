import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { type ApiClient, createApiClient, type DescribedEntry } from '../../cli/api-client.ts';
import { isTerminal } from '../../lib/domain/phase.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { runScenario, startScenarioStack } from '../../sandbox/run-scenario.ts';
import { sandboxSpec } from '../../sandbox/scenarios.ts';
import type { Stack } from '../../sandbox/stack.ts';
import { kubectlGetVirtualService } from '../support/kubectl.ts';
import { runCli } from '../support/run-cli.ts';

// One stack for the whole lifecycle of the seed: revision 1 succeeds, the same spec is refused,
// `apply --swap` runs revision 2 back to my-service, and `finalize` ends it on the primary.

const INTERVAL = '3s';
const ID = 'sandbox/default/my-service';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** my-service's and my-service-v2's weights on the managed (first) route. */
const hostWeights = (vs: VirtualService): Record<string, number | undefined> =>
  Object.fromEntries(
    (vs.spec.http?.[0]?.route ?? []).map((r) => [r.destination.host, r.weight ?? 0]),
  );

/** Ticks analyze, as the schedule would, until the rollout ends; returns its final ledger. */
const runToEnd = async (stack: Stack, api: ApiClient) => {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { rollout, entries } = await api.fullLedger(ID);
    if (isTerminal(rollout.phase) && !rollout.pending) return { rollout, entries };
    if (Date.now() > deadline) throw new Error(`rollout did not end; it is ${rollout.phase}`);
    await stack.tick().catch(() => undefined);
    await sleep(1000);
  }
};

/** Waits until the pending decision (finalize) is applied. */
const settled = async (api: ApiClient): Promise<RolloutState> => {
  for (let i = 0; i < 60; i++) {
    const { rollout } = await api.getRollout(ID, { limit: 1 });
    if (!rollout.pending) return rollout;
    await sleep(500);
  }
  throw new Error('the pending decision was never applied');
};

describe('lifecycle in the sandbox: refuse after Succeeded, apply --swap, finalize', {
  timeout: 600_000,
}, () => {
  let stack: Stack;
  let api: ApiClient;
  let env: Record<string, string>;
  let specPath: string;
  const cli = (args: string[]) => runCli(args, env);
  const kubectl = () => kubectlGetVirtualService(stack.emulator.kubeconfigPath);

  beforeAll(async () => {
    stack = await startScenarioStack({
      scenario: 'healthy',
      dynamoEndpoint: inject('dynamoEndpoint'),
      onLog: (line) => console.log(`[lifecycle] ${line}`),
    });
    api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
    env = { KANARI_URL: stack.apiUrl, KANARI_TOKEN: stack.apiToken, HOME: stack.workDir };
    specPath = join(stack.workDir, 'my-service.yaml');
    writeFileSync(
      specPath,
      stringify(sandboxSpec(INTERVAL, { thresholds: { min: 95, max: 500 } })),
    );
    const summary = await runScenario(stack, {
      scenario: 'healthy',
      interval: INTERVAL,
    });
    expect(summary.phase).toBe('Succeeded');
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('(a) refuses the same spec after Succeeded: 409, the VirtualService untouched, no revision 2', async () => {
    const before = await kubectl();
    expect(hostWeights(before)).toEqual({ 'my-service': 0, 'my-service-v2': 100 });
    const error = await api.createRollout(sandboxSpec(INTERVAL)).catch((e) => e);
    expect(error.status).toBe(409);
    expect(error.message).toContain('kanari apply --swap -f <file>');
    expect(error.message).toContain(`kanari finalize ${ID} --reason`);
    const run = await cli(['apply', '-f', specPath]);
    expect(run.code).toBe(4); // conflict
    expect(run.stderr).toContain('my-service-v2 holds all traffic');
    await sleep(2000); // anything wrongly requested would be applied by now
    const after = await kubectl();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(hostWeights(after)).toEqual({ 'my-service': 0, 'my-service-v2': 100 });
    const { rollout, entries } = await api.fullLedger(ID);
    expect(rollout).toMatchObject({ revision: 1, phase: 'Succeeded', canaryWeight: 100 });
    expect(entries.every((e) => e.revision === 1)).toBe(true);
  });

  let revision2: { rollout: RolloutState; entries: DescribedEntry[] };
  it('(b) kanari apply --swap runs revision 2 to Succeeded, moving traffic to my-service step by step', async () => {
    const run = await cli(['apply', '--swap', '-f', specPath]);
    // Only preflight's warning about the seed's shadowed /v2 route, no error.
    expect(run.stderr).toMatch(
      /^kanari: warning: http route 1 \(prefix \/v2\)[^\n]*never reached[^\n]*\n$/,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--swap: primary my-service-v2, canary my-service');
    expect(run.stdout).toContain(`${ID} started (revision 2)`);
    // kanari watch follows it by its bare name, with a heartbeat between the checks.
    const watching = cli([
      'watch',
      'my-service',
      '--cluster',
      'sandbox',
      '--poll',
      '200ms',
      '--heartbeat',
      '500ms',
    ]);
    revision2 = await runToEnd(stack, api);
    const watched = await watching;
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(
      /(next check in \d+ s|check due now) \(step \d of 5, canary \d+%\)/,
    );
    expect(watched.stdout).toMatch(/r2 {2}Applied: primary 50% · canary 50%/);
    expect(watched.stdout).toContain(`${ID}: Succeeded · canary 100%`);
    expect(revision2.rollout).toMatchObject({ revision: 2, phase: 'Succeeded', canaryWeight: 100 });
    expect(revision2.rollout.spec.target.canary).toEqual({ host: 'my-service' });
    const applied = revision2.entries.filter((e) => e.revision === 2 && e.kind === 'applied');
    expect(applied.map((e) => e.applied?.weights.canary)).toEqual([10, 20, 30, 40, 50, 100]);
    const checks = revision2.entries.filter((e) => e.revision === 2 && e.kind === 'check');
    expect(checks[0]?.check?.metrics[0]?.query).toContain('destination_workload=~"my-service"');
    expect(hostWeights(await kubectl())).toEqual({ 'my-service': 100, 'my-service-v2': 0 });
  });

  it('(c) kanari finalize moves all traffic to the primary; the rollout stays Succeeded and the ledger says so', async () => {
    const before = await kubectl();
    const run = await cli(['finalize', ID, '--reason', 'CD runs v3 on my-service-v2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Finalize requested');
    const rollout = await settled(api);
    expect(rollout).toMatchObject({ revision: 2, phase: 'Succeeded', canaryWeight: 0 });
    const after = await kubectl();
    expect(hostWeights(after)).toEqual({ 'my-service': 0, 'my-service-v2': 100 });
    // Only the managed route moved: the /v2 prefix route is as it was.
    expect(after.spec.http?.[1]).toEqual(before.spec.http?.[1]);
    const ledger = await cli(['get', ID, '--ledger']);
    expect(ledger.code).toBe(0);
    expect(ledger.stdout).toMatch(/r2 {2}Finalize requested at 100% by sandbox-operator/);
    expect(ledger.stdout).toMatch(/r2 {2}Finalized: primary 100% · canary 0%/);
    expect(ledger.stdout).toMatch(/r1 {2}Started by sandbox-operator/);
    expect(ledger.stdout).toMatch(/Phase\s+Succeeded/);
  });

  it('(d) kubectl-like: a bare name with -n, -o name, did you mean, and exit codes 3, 5 and 6', async () => {
    const named = await cli([
      'get',
      'my-service',
      '-n',
      'default',
      '--cluster',
      'sandbox',
      '-o',
      'name',
    ]);
    expect(named).toEqual({ code: 0, stdout: `rollout/${ID}\n`, stderr: '' });
    const listed = await cli(['list', '-n', 'default', '--phase', 'succeeded', '-o', 'name']);
    expect(listed.stdout).toBe(`rollout/${ID}\n`);
    const typo = await cli(['get', 'my-servce', '-n', 'default', '--cluster', 'sandbox']);
    expect(typo).toEqual({
      code: 3,
      stdout: '',
      stderr: `kanari: rollout sandbox/default/my-servce not found; did you mean ${ID}?\n`,
    });
    const refused = await runCli(['list'], { ...env, KANARI_TOKEN: 'not-the-token' });
    expect(refused.code).toBe(5);
    expect(refused.stderr).not.toContain('not-the-token');
    const unreachable = await runCli(['list'], { ...env, KANARI_URL: 'http://127.0.0.1:9' });
    expect(unreachable).toMatchObject({ code: 6, stdout: '' });
    expect(unreachable.stderr).toMatch(
      /^kanari: cannot reach http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
    );
    const watched = await cli(['watch', 'my-service', '--cluster', 'sandbox', '--poll', '200ms']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`${ID}: Succeeded · canary 0%`);
  });
});
