import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { runCli, serviceNamed, specNamed, workDir } from '../support/cli-runner.ts';
import { type ConsoleHarness, startConsoleHarness } from '../support/console-harness.ts';
import { kubectlGetVirtualService } from '../support/kubectl.ts';

/**
 * Preflight through the real console handler: DynamoDB Local, the Kubernetes API emulator and a
 * real Prometheus. Every refusal names its problem and leaves DynamoDB, the bus and the
 * VirtualService exactly as they were.
 */
let harness: ConsoleHarness;
let dir: string;

interface Answer {
  error: string;
  outcome?: string;
  problems: { check: string; message: string }[];
  warnings: string[];
}

const post = async (path: string, body: unknown) => {
  const response = await fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${harness.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
};

const stored = (name: string) =>
  harness.emulator.read('networking.istio.io/v1', 'VirtualService', 'default', name) as
    | VirtualService
    | undefined;

const tableItems = async (): Promise<string[]> => {
  const { client } = localDynamoClients(inject('dynamoEndpoint'));
  try {
    const { Items = [] } = await client.send(
      new ScanCommand({ TableName: harness.tableName, ConsistentRead: true }),
    );
    return Items.map((item) => JSON.stringify(item)).sort();
  } finally {
    client.destroy();
  }
};

/** Applies `spec`, expects a 422 naming `check`, and that nothing at all was written. */
const refused = async (spec: RolloutSpec, check: string) => {
  const items = await tableItems();
  const events = harness.events.length;
  const version = stored(spec.target.virtualService)?.metadata.resourceVersion;
  const answer = await post('/rollouts', spec);
  expect(answer.status).toBe(422);
  expect(answer.body.problems.map((p) => p.check)).toContain(check);
  const problem = answer.body.problems.find((p) => p.check === check);
  expect(answer.body.error).toBe(answer.body.problems[0]?.message);
  await harness.settled();
  expect(await tableItems()).toEqual(items);
  expect(harness.events.length).toBe(events);
  expect(stored(spec.target.virtualService)?.metadata.resourceVersion).toBe(version);
  return problem?.message ?? '';
};

beforeAll(async () => {
  harness = await startConsoleHarness(inject('dynamoEndpoint'));
  dir = workDir();
});

afterAll(async () => {
  await harness?.stop();
});

describe('apply refuses before any traffic moves, and writes nothing', () => {
  it('refuses a cluster that is not configured, listing the configured ones', async () => {
    await harness.seedService(serviceNamed('unknown-cluster'));
    const message = await refused(specNamed('unknown-cluster', '10m', 'prod-eu'), 'cluster');
    expect(message).toBe(
      'cluster "prod-eu" (target.cluster) is not configured; configured clusters: "sandbox" (kubeconfig contexts and KANARI_EKS_CLUSTERS)',
    );
  });

  it('refuses a cluster that does not answer', async () => {
    await harness.seedService(serviceNamed('silent'));
    // The first try and its one retry go unanswered.
    harness.emulator.injectFaults({ count: 2, timeout: true, methods: ['GET'] });
    const message = await refused(specNamed('silent'), 'cluster');
    expect(message).toMatch(/^cluster "sandbox" is not reachable: .*did not answer in time/);
    harness.emulator.clearFaults();
  });

  it('refuses a VirtualService that does not exist', async () => {
    const message = await refused(specNamed('never-seeded'), 'virtual-service');
    expect(message).toBe(
      'VirtualService default/never-seeded (target.virtualService) was not found in cluster "sandbox"',
    );
  });

  it('refuses a managed route without the canary destination', async () => {
    const vs = serviceNamed('one-sided');
    for (const route of vs.spec.http ?? [])
      route.route = route.route?.filter((r) => r.destination.host !== 'one-sided-v2');
    await harness.seedService(vs);
    const message = await refused(specNamed('one-sided'), 'route');
    expect(message).toContain('has no http route holding both destinations');
  });

  it('refuses when the canary holds all the traffic, saying how to go on', async () => {
    const vs = serviceNamed('after-success');
    const [primary, canary] = vs.spec.http?.[0]?.route ?? [];
    if (!primary || !canary) throw new Error('no managed route');
    primary.weight = 0;
    canary.weight = 100;
    await harness.seedService(vs);
    const message = await refused(specNamed('after-success'), 'weights');
    expect(message).toContain('primary after-success 0% and canary after-success-v2 100%');
    expect(message).toContain('`kanari apply --swap`');
    expect(message).toContain('`kanari finalize <id>`');
  });

  it('refuses a subset-level target whose DestinationRule is missing, then one without the subset', async () => {
    const vs = serviceNamed('subsets');
    for (const route of vs.spec.http ?? [])
      for (const r of route.route ?? [])
        r.destination = {
          ...r.destination,
          host: 'subsets',
          subset: r.destination.host === 'subsets' ? 'v1' : 'v2',
        };
    await harness.seedService(vs);
    const spec = specNamed('subsets');
    spec.target.primary = { host: 'subsets', subset: 'v1' };
    spec.target.canary = { host: 'subsets', subset: 'v2' };
    expect(await refused(spec, 'destination-rule')).toContain(
      'no DestinationRule for host subsets in namespace default',
    );
    harness.emulator.seed({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'subsets', namespace: 'default' },
      spec: { host: 'subsets', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    });
    expect(await refused(spec, 'destination-rule')).toBe(
      'DestinationRule default/subsets for host subsets has no subset v2 (target.canary); it has v1',
    );
  });

  it('refuses an interval shorter than the analysis schedule', async () => {
    await harness.seedService(serviceNamed('hasty'));
    const message = await refused(specNamed('hasty', '15s'), 'interval');
    expect(message).toContain('analysis.interval is 15s, shorter than the analysis schedule');
    expect(message).toContain('(every 60s)');
  });

  it('refuses when Prometheus has no series for the primary workload, naming it', async () => {
    await harness.seedService(serviceNamed('unseen'));
    const spec = specNamed('unseen');
    spec.target.primary = { host: 'unseen', workload: 'unseen-primary' };
    const message = await refused(spec, 'primary-series');
    expect(message).toContain('for workload "unseen-primary" in namespace "default"');
    expect(message).toContain('target.primary.workload');
  });
});

describe('apply with warnings, and the annotation', () => {
  it('starts despite a shadowed route, returns the warning, and annotates the VirtualService', async () => {
    await harness.seedService(serviceNamed('shadowed'));
    const answer = await post('/rollouts', specNamed('shadowed'));
    expect(answer.status).toBe(201);
    expect(answer.body.outcome).toBe('started');
    expect(answer.body.warnings).toEqual([
      expect.stringMatching(
        /^http route 1 \(prefix \/v2\) of VirtualService shadowed is never reached/,
      ),
    ]);
    await harness.settled();
    const vs = await kubectlGetVirtualService(harness.emulator.kubeconfigPath, 'shadowed');
    expect(vs.metadata.annotations).toEqual({
      'kanari.dev/rollout': 'sandbox/default/shadowed',
      'kanari.dev/revision': '1',
    });
    expect(vs.spec.http?.[0]?.route?.map((r) => r.weight)).toEqual([90, 10]);
    const { stdout } = await promisify(execFile)(
      'kubectl',
      ['--kubeconfig', harness.emulator.kubeconfigPath, 'describe', 'virtualservice', 'shadowed'],
      { timeout: 20_000 },
    );
    expect(stdout).toMatch(/kanari\.dev\/rollout:\s+sandbox\/default\/shadowed/);
  });
});

describe('validate --live and the dry run', () => {
  const env = () => ({ HOME: dir, KANARI_URL: harness.url, KANARI_TOKEN: harness.token });
  const file = (name: string, spec: RolloutSpec) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, stringify(spec));
    return path;
  };

  it('prints each problem and exits 1, writing nothing', async () => {
    const items = await tableItems();
    const run = await runCli(
      ['validate', '--live', '-f', file('live-bad', specNamed('live-bad', '15s', 'prod-eu'))],
      env(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'problem (cluster): cluster "prod-eu" (target.cluster) is not configured',
    );
    expect(run.stdout).toContain('problem (interval): analysis.interval is 15s');
    // Nothing serves live-bad: Prometheus has no series for its primary either.
    expect(run.stdout).toContain(
      'problem (primary-series): Prometheus has no data for the primary',
    );
    expect(run.stderr).toBe(
      'kanari: 3 live checks failed for prod-eu/default/live-bad; apply would refuse it\n',
    );
    expect(await tableItems()).toEqual(items);
  });

  it('passes with the warning printed, and still writes nothing', async () => {
    await harness.seedService(serviceNamed('live-good'));
    const items = await tableItems();
    const version = stored('live-good')?.metadata.resourceVersion;
    const run = await runCli(
      ['validate', '--live', '-f', file('live-good', specNamed('live-good'))],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/warning \(shadowed-route\): http route 1 \(prefix \/v2\)/);
    expect(run.stdout).toContain('live checks passed');
    const json = await runCli(
      ['validate', '--live', '-o', 'json', '-f', file('live-good', specNamed('live-good'))],
      env(),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, ok: true, problems: [] });
    expect(await tableItems()).toEqual(items);
    expect(stored('live-good')?.metadata.resourceVersion).toBe(version);
  });

  it('apply prints the problems one line each and exits 1', async () => {
    await harness.seedService(serviceNamed('cli-hasty'));
    const run = await runCli(
      ['apply', '-f', file('cli-hasty', specNamed('cli-hasty', '15s'))],
      env(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^kanari: preflight refused the rollout; nothing was changed:\n {2}interval: analysis.interval is 15s[^\n]*\n {2}warning: http route 1/,
    );
  });
});

// Last: it stops the harness's Prometheus.
describe('apply without Prometheus', () => {
  it('refuses when Prometheus does not answer', async () => {
    await harness.seedService(serviceNamed('no-prometheus'));
    await harness.prometheus.stop();
    const message = await refused(specNamed('no-prometheus'), 'prometheus');
    expect(message).toBe('Prometheus (PROMETHEUS_URL) does not answer queries');
  });
});
