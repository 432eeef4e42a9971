import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { RolloutTarget } from '../../lib/domain/rollout-spec.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { freePort } from '../../sandbox/free-port.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { type MeshSimulator, startMeshSimulator } from '../../sandbox/mesh-simulator.ts';
import { type RunningPrometheus, startPrometheus } from '../../sandbox/prometheus.ts';
import { sandboxSpec } from '../../sandbox/scenarios.ts';
import { SEED_VIRTUAL_SERVICE } from '../../sandbox/seed.ts';
import { expectFirstMinute } from '../support/first-minute.ts';
import { type CliResult, runCli } from '../support/run-cli.ts';

const run = promisify(execFile);
const CONTEXT = 'kind-kanari';
const TARGET: RolloutTarget = { ...sandboxSpec('5s').target, cluster: CONTEXT };
const baseline = { errorRate: 0.001, latencyMedianMs: 100, latencySigma: 0.5 };

/** kubectl as a user runs it, through the kubeconfig and context only. */
const kubectl = (kubeconfig: string, ...args: string[]) =>
  run('kubectl', ['--kubeconfig', kubeconfig, '--context', CONTEXT, ...args], { timeout: 20_000 });

const getVirtualService = async (kubeconfig: string): Promise<VirtualService> =>
  JSON.parse(
    (
      await kubectl(
        kubeconfig,
        '-n',
        'default',
        'get',
        'virtualservice',
        'my-service',
        '-o',
        'json',
      )
    ).stdout,
  ) as VirtualService;

/**
 * The emulator's kubeconfig as a kind user would have it: the cluster, user and context named
 * `kind-kanari`, beside a second context for a cluster that is not there.
 */
const writeUserKubeconfig = async (emulator: KubeEmulator, dir: string): Promise<string> => {
  const config = parse(await readFile(emulator.kubeconfigPath, 'utf8'));
  const file = join(dir, 'config');
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: CONTEXT, cluster: config.clusters[0].cluster },
        { name: 'kind-other', cluster: { server: 'https://127.0.0.1:1' } },
      ],
      users: [
        { name: CONTEXT, user: config.users[0].user },
        { name: 'kind-other', user: { token: 'unused' } },
      ],
      contexts: [
        { name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT } },
        { name: 'kind-other', context: { cluster: 'kind-other', user: 'kind-other' } },
      ],
      'current-context': 'kind-other',
    }),
    { mode: 0o600 },
  );
  return file;
};

const oneLineError = (result: CliResult): string => {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(result.stdout).toBe('');
  return lines[0] ?? '';
};

describe('kanari sandbox --kubeconfig: your own cluster and Prometheus', {
  timeout: 300_000,
}, () => {
  let dir: string;
  let emulator: KubeEmulator;
  let mesh: MeshSimulator;
  let prometheus: RunningPrometheus;
  let kubeconfig: string;
  let specFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kanari-byo-'));
    // The "real" world: a cluster, a mesh whose split follows the VirtualService, a Prometheus.
    emulator = await startKubeEmulator({});
    kubeconfig = await writeUserKubeconfig(emulator, dir);
    const vsFile = join(dir, 'virtual-service.yaml');
    await writeFile(vsFile, stringify(SEED_VIRTUAL_SERVICE));
    await kubectl(kubeconfig, 'apply', '-f', vsFile);
    mesh = await startMeshSimulator({
      namespace: 'default',
      primary: { workload: 'my-service', behaviour: baseline },
      canary: { workload: 'my-service-v2', behaviour: baseline },
      requestsPerSecond: 1000,
      readWeights: async () =>
        currentWeights(
          emulator.read(
            'networking.istio.io/v1',
            'VirtualService',
            'default',
            'my-service',
          ) as VirtualService,
          TARGET,
        ),
    });
    prometheus = await startPrometheus({ scrapeTargets: [new URL(mesh.metricsUrl).host] });
    specFile = join(dir, 'rollout.yaml');
    await writeFile(
      specFile,
      stringify({ ...sandboxSpec('5s', { thresholds: { min: 99, max: 500 } }), target: TARGET }),
    );
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await mesh?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an unknown context, naming the ones the file has', async () => {
    const result = await runCli([
      'sandbox',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'kind-nope',
      '--prometheus',
      prometheus.url,
    ]);
    expect(oneLineError(result)).toBe(
      `kanari: --context: no context "kind-nope" in ${kubeconfig}; it has ${CONTEXT}, kind-other`,
    );
  });

  it('refuses a missing kubeconfig, a non-http URL, a Prometheus that does not answer, and flags that do not go together', async () => {
    const missing = await runCli([
      'sandbox',
      '--kubeconfig',
      join(dir, 'absent'),
      '--prometheus',
      prometheus.url,
    ]);
    expect(oneLineError(missing)).toContain(`--kubeconfig: ${join(dir, 'absent')} does not exist`);
    const base = ['sandbox', '--kubeconfig', kubeconfig, '--context', CONTEXT];
    const notHttp = await runCli([...base, '--prometheus', 'localhost:9090']);
    expect(oneLineError(notHttp)).toContain('--prometheus: "localhost:9090" is not an http(s) URL');
    const silent = `http://127.0.0.1:${await freePort()}`;
    const down = await runCli([...base, '--prometheus', silent]);
    expect(oneLineError(down)).toContain(`--prometheus: ${silent} does not answer`);
    const scenario = await runCli([
      ...base,
      '--prometheus',
      prometheus.url,
      '--scenario',
      'errors',
    ]);
    expect(oneLineError(scenario)).toContain('--scenario: needs the simulated mesh');
    const alone = await runCli(['sandbox', '--kubeconfig', kubeconfig]);
    expect(oneLineError(alone)).toContain('--kubeconfig: needs --prometheus');
    const other = await runCli(['sandbox', '--prometheus', prometheus.url]);
    expect(oneLineError(other)).toContain('--prometheus: needs --kubeconfig');
  });

  it('refuses a spec for another cluster before starting anything', async () => {
    const file = join(dir, 'prod.yaml');
    await writeFile(
      file,
      stringify({ ...sandboxSpec('5s'), target: { ...TARGET, cluster: 'prod-eu' } }),
    );
    const result = await runCli([
      'sandbox',
      '--kubeconfig',
      kubeconfig,
      '--context',
      CONTEXT,
      '--prometheus',
      prometheus.url,
      '-f',
      file,
    ]);
    expect(oneLineError(result)).toContain(
      `-f: target.cluster is "prod-eu" in ${file}, but this sandbox's cluster is "${CONTEXT}"`,
    );
    expect(currentWeights(await getVirtualService(kubeconfig), TARGET)).toEqual({
      primary: 100,
      canary: 0,
    });
  });

  it('runs a rollout to Succeeded against the cluster reached only through the kubeconfig', async () => {
    const seed = await getVirtualService(kubeconfig);
    const args = [
      'sandbox',
      '--kubeconfig',
      kubeconfig,
      '--context',
      CONTEXT,
      '--prometheus',
      prometheus.url,
      '-f',
      specFile,
      '--json',
    ];
    // The shared DynamoDB Local of this test run; a user's sandbox starts its own.
    const env = { KANARI_SANDBOX_DYNAMODB_ENDPOINT: inject('dynamoEndpoint') };
    const given = JSON.stringify([args, env, process.env.KUBECONFIG ?? '']);
    expect(given).not.toContain(emulator.url);
    expect(given).not.toContain(emulator.token);

    const result = await runCli(args, env, 280_000);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
    expect(summary).toMatchObject({
      rollout: `${CONTEXT}/default/my-service`,
      phase: 'Succeeded',
      finalWeights: { primary: 0, canary: 100 },
      cause: 'analysis',
    });
    expect(summary.steps).toEqual(
      [10, 20, 30, 40, 50].map((weight) => ({ weight, verdict: 'pass' })),
    );
    expect(summary.ledgerEntries).toBeGreaterThanOrEqual(11);
    // The live ledger lines (stderr with --json): each step the ledger says it applied.
    const applied = [...result.stderr.matchAll(/Applied: primary (\d+)% · canary (\d+)%/g)].map(
      (m) => [Number(m[1]), Number(m[2])],
    );
    expect(applied).toEqual([
      [90, 10],
      [80, 20],
      [70, 30],
      [60, 40],
      [50, 50],
      [0, 100],
    ]);
    expect(result.stderr).toContain(`its kanari cluster name is "${CONTEXT}"`);
    expectFirstMinute(result.stderr, ['DynamoDB Local', 'Functions (osls offline)']);
    expect(result.stderr).toMatch(/Apply: {7}kanari apply -f \S+/);
    // Printed before the rollout starts, so the console can be opened to watch it.
    expect(result.stderr.indexOf('export KANARI_URL=')).toBeLessThan(
      result.stderr.indexOf('Applied: primary 90%'),
    );

    const final = await getVirtualService(kubeconfig);
    expect(currentWeights(final, TARGET)).toEqual({ primary: 0, canary: 100 });
    // The /v2 prefix route is not kanari's to move.
    expect(final.spec.http?.[1]).toEqual(seed.spec.http?.[1]);
  });
});
