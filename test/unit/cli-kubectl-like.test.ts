import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { RolloutState } from '../../lib/domain/state.ts';
import { type ApiStub, startApiStub } from '../support/api-stub.ts';
import { rolloutState } from '../support/rollout-fixtures.ts';

// Each test starts the CLI a few times, and this machine's two cores are shared.
vi.setConfig({ testTimeout: 60_000 });

/** These run the built `kanari` (dist/cli, built by the test setup) against a stub API. */
const BIN = fileURLToPath(new URL('../../bin/kanari.js', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const kanari = (args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });

let stub: ApiStub;
let home: string;
/** A HOME with no config file, and the stub's endpoint and token in the environment. */
let env: Record<string, string>;

/** Started 3 h ago; the next check in 10 min (and a half, so that it still reads 10m). */
const states = (): RolloutState[] => {
  const times = {
    createdAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    nextCheckAt: new Date(Date.now() + 630_000).toISOString(),
  };
  return [
    rolloutState('prod/shop/checkout', times),
    rolloutState('prod/shop/cart', { ...times, canaryWeight: 30, stepIndex: 2 }),
    rolloutState('prod/web/frontend', times),
    rolloutState('prod/shop/done', {
      ...times,
      phase: 'Succeeded',
      canaryWeight: 100,
      stepIndex: 5,
    }),
  ];
};

beforeAll(async () => {
  stub = await startApiStub(states());
});

afterAll(async () => {
  await stub?.stop();
});

beforeEach(() => {
  stub.rollouts.splice(0, stub.rollouts.length, ...states());
  stub.requests.length = 0;
  home = mkdtempSync(join(tmpdir(), 'kanari-cli-home-'));
  env = { HOME: home, KANARI_URL: stub.url, KANARI_TOKEN: stub.token };
});

describe('exit codes', () => {
  it('0 when done, and --version prints the package version', async () => {
    expect(await kanari(['--version'])).toEqual({
      code: 0,
      stdout: `${PACKAGE.version}\n`,
      stderr: '',
    });
    expect((await kanari(['get', 'prod/shop/cart'], env)).code).toBe(0);
  });

  it('2 for usage: unknown command with a suggestion, missing reason, bad phase, bad URL, all one line', async () => {
    const typo = await kanari(['gte', 'prod/shop/cart'], env);
    expect(typo).toEqual({
      code: 2,
      stdout: '',
      stderr: "kanari: unknown command 'gte'; did you mean get?\n",
    });
    const noReason = await kanari(['rollback', 'prod/shop/cart'], env);
    expect(noReason).toEqual({
      code: 2,
      stdout: '',
      stderr: "kanari: required option '--reason <text>' not specified\n",
    });
    const phase = await kanari(['list', '--phase', 'Sleeping'], env);
    expect(phase.code).toBe(2);
    expect(phase.stderr).toMatch(/^kanari: --phase: "Sleeping" is not a phase; one of Pending/);
    expect(phase.stderr.trim().split('\n')).toHaveLength(1);
    const url = await kanari(['list'], { ...env, KANARI_URL: 'localhost:3000' });
    expect(url).toEqual({
      code: 2,
      stdout: '',
      stderr: "kanari: KANARI_URL must start with http:// or https:// (got 'localhost:3000')\n",
    });
    expect(stub.requests).toEqual([]);
  });

  it('3 when the rollout does not exist, with the closest names', async () => {
    const run = await kanari(['get', 'chekout', '-n', 'shop', '--cluster', 'prod'], env);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: 'kanari: rollout prod/shop/chekout not found; did you mean prod/shop/checkout?\n',
    });
    const far = await kanari(['pause', 'prod/shop/inventory', '--reason', 'x'], env);
    expect(far).toMatchObject({
      code: 3,
      stderr: 'kanari: rollout prod/shop/inventory not found\n',
    });
  });

  it('4 when the phase does not allow the action', async () => {
    const run = await kanari(['resume', 'prod/shop/done', '--reason', 'again'], env);
    expect(run).toEqual({
      code: 4,
      stdout: '',
      stderr: 'kanari: cannot resume a rollout that is Succeeded (current phase: Succeeded)\n',
    });
  });

  it('5 for no credentials or refused ones, and the token is never printed', async () => {
    const refused = await kanari(['list'], { ...env, KANARI_TOKEN: 'wrong-secret-token' });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('the API refused the credentials (401)');
    expect(refused.stderr + refused.stdout).not.toContain('wrong-secret-token');
    const none = await kanari(['list'], { HOME: home, KANARI_URL: stub.url });
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('no credentials: pass --token, set KANARI_TOKEN');
  });

  it('6 when nothing answers', async () => {
    const closed = await startApiStub([]);
    await closed.stop();
    const run = await kanari(['list'], { ...env, KANARI_URL: closed.url });
    expect(run.code).toBe(6);
    expect(run.stderr).toBe(
      `kanari: cannot reach ${closed.url}: connect ECONNREFUSED ${closed.url.slice(7)}\n`,
    );
    // A server that takes the connection and never answers: KANARI_TIMEOUT, then 6 too.
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const timedOut = await kanari(['list'], { ...env, KANARI_URL: url, KANARI_TIMEOUT: '300ms' });
    silent.close();
    expect(timedOut).toEqual({
      code: 6,
      stdout: '',
      stderr: `kanari: cannot reach ${url}: no answer within 0.3 s\n`,
    });
  });

  it('lists the codes in --help', async () => {
    const help = await kanari(['--help']);
    expect(help.code).toBe(0);
    for (const line of ['2  usage', '3  not found', '4  conflict', '5  auth', '6  unreachable'])
      expect(help.stdout).toContain(line);
    expect((await kanari(['rollback', '--help'])).stdout).toMatch(/--reason <text>\s+\(required\)/);
  });
});

describe('contexts', () => {
  it('set-context writes a private file; the first context becomes current; bare names use it', async () => {
    const created = await kanari(
      [
        'config',
        'set-context',
        'prod',
        '--url',
        stub.url,
        '--cluster',
        'prod',
        '--namespace',
        'shop',
        '--token-stdin',
      ],
      { HOME: home },
      `${stub.token}\n`,
    );
    expect(created).toEqual({ code: 0, stdout: 'Context "prod" created (current).\n', stderr: '' });
    const file = join(home, '.config', 'kanari', 'config.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(file, 'utf8'))).toEqual({
      'current-context': 'prod',
      contexts: [
        { name: 'prod', url: stub.url, cluster: 'prod', namespace: 'shop', token: stub.token },
      ],
    });

    const got = await kanari(['get', 'cart', '-o', 'name'], { HOME: home });
    expect(got).toEqual({ code: 0, stdout: 'rollout/prod/shop/cart\n', stderr: '' });
    const web = await kanari(['get', 'frontend', '-n', 'web', '-o', 'json'], { HOME: home });
    expect(JSON.parse(web.stdout).rollout.id).toBe('prod/web/frontend');

    const contexts = await kanari(['config', 'get-contexts'], { HOME: home });
    expect(contexts.stdout).toMatch(
      /^CURRENT\s+NAME\s+URL\s+CLUSTER\s+NAMESPACE\s+TOKEN\n\*\s+prod\s+http/,
    );
    expect(contexts.stdout).toMatch(/shop\s+set\n$/);
    expect(contexts.stdout).not.toContain(stub.token);
    const json = await kanari(['config', 'get-contexts', '-o', 'json'], { HOME: home });
    expect(json.stdout).not.toContain(stub.token);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ name: 'prod', current: true, token: 'set' });
  });

  it('use-context switches, current-context prints it, and an unknown one is exit 3 with a suggestion', async () => {
    const config = join(home, 'kanari.yaml');
    const with_ = { HOME: home, KANARI_CONFIG: config };
    await kanari(
      ['config', 'set-context', 'staging', '--url', stub.url, '--cluster', 'stage'],
      with_,
    );
    await kanari(['config', 'set-context', 'prod', '--url', stub.url, '--cluster', 'prod'], with_);
    expect((await kanari(['config', 'current-context'], with_)).stdout).toBe('staging\n');
    expect(await kanari(['config', 'use-context', 'prod'], with_)).toMatchObject({
      code: 0,
      stdout: 'Switched to context "prod".\n',
    });
    expect((await kanari(['config', 'current-context'], with_)).stdout).toBe('prod\n');
    const unknown = await kanari(['config', 'use-context', 'prd'], with_);
    expect(unknown).toEqual({
      code: 3,
      stdout: '',
      stderr: `kanari: context "prd" not found in ${config}; did you mean prod?\n`,
    });
    const changed = await kanari(['config', 'set-context', 'staging', '--namespace', 'web'], with_);
    expect(changed.stdout).toBe('Context "staging" modified.\n');
    expect(parse(readFileSync(config, 'utf8')).contexts[0]).toEqual({
      name: 'staging',
      url: stub.url,
      cluster: 'stage',
      namespace: 'web',
    });
    const bad = await kanari(['config', 'set-context', 'x', '--url', 'localhost:3000'], with_);
    expect(bad).toMatchObject({
      code: 2,
      stderr: "kanari: --url must start with http:// or https:// (got 'localhost:3000')\n",
    });
  });

  it('KANARI_URL and KANARI_TOKEN win over the context; --context picks another', async () => {
    const config = join(home, 'kanari.yaml');
    writeFileSync(
      config,
      [
        'current-context: broken',
        'contexts:',
        '  - {name: broken, url: "http://127.0.0.1:9", cluster: prod, namespace: shop, token: nope}',
        `  - {name: good, url: "${stub.url}", cluster: prod, namespace: web, token: ${stub.token}}`,
      ].join('\n'),
    );
    const fromEnv = await kanari(['get', 'cart', '-o', 'name'], { ...env, KANARI_CONFIG: config });
    expect(fromEnv).toMatchObject({ code: 0, stdout: 'rollout/prod/shop/cart\n' });
    const picked = await kanari(['get', 'frontend', '--context', 'good', '-o', 'name'], {
      HOME: home,
      KANARI_CONFIG: config,
    });
    expect(picked).toMatchObject({ code: 0, stdout: 'rollout/prod/web/frontend\n' });
    const broken = await kanari(['list'], { HOME: home, KANARI_CONFIG: config });
    expect(broken.code).toBe(6);
  });
});

describe('list and get', () => {
  it("lists the context's namespace, -n another, -A every one", async () => {
    const config = join(home, 'kanari.yaml');
    writeFileSync(
      config,
      'current-context: p\ncontexts: [{name: p, cluster: prod, namespace: shop}]\n',
    );
    const withConfig = { ...env, KANARI_CONFIG: config };
    const shop = await kanari(['list', '-o', 'name'], withConfig);
    expect(shop.stdout).toBe(
      'rollout/prod/shop/checkout\nrollout/prod/shop/cart\nrollout/prod/shop/done\n',
    );
    const web = await kanari(['list', '-n', 'web', '-o', 'name'], withConfig);
    expect(web.stdout).toBe('rollout/prod/web/frontend\n');
    const all = await kanari(['list', '-A', '--phase', 'progressing', '-o', 'name'], withConfig);
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
    expect(stub.requests).toEqual([
      'GET /rollouts?cluster=prod&namespace=shop',
      'GET /rollouts?cluster=prod&namespace=web',
      'GET /rollouts?phase=Progressing&cluster=prod',
    ]);
  });

  it('-o wide adds cluster, namespace, weight, step, age and next check', async () => {
    const run = await kanari(['list', '-o', 'wide'], env);
    expect(run.stdout).toMatch(
      /^NAME\s+CLUSTER\s+NAMESPACE\s+PHASE\s+WEIGHT\s+STEP\s+CHECKS\s+AGE\s+NEXT CHECK\s+MESSAGE\n/,
    );
    expect(run.stdout).toMatch(
      /\ncart\s+prod\s+shop\s+Progressing\s+70\/30\s+3 of 5\s+0\/0 failed\s+3h\s+in 10m\s/,
    );
    expect(run.stdout).toMatch(
      /\ndone\s+prod\s+shop\s+Succeeded\s+0\/100\s+promoted\s+0\/0 failed\s+3h\s+-\s/,
    );
  });

  it('shows drift: what kanari applied, what the cluster has, and when it was noticed', async () => {
    const drifted = stub.rollouts.find((r) => r.id === 'prod/shop/cart') as RolloutState;
    drifted.phase = 'Paused';
    drifted.drift = {
      applied: { primary: 90, canary: 10 },
      observed: { primary: 100, canary: 0 },
      detectedAt: '2026-12-02T14:03:05.120Z',
      action: 'pause',
    };
    const run = await kanari(['get', 'prod/shop/cart'], env);
    expect(run.stdout).toContain(
      'Drift       kanari applied primary 90% · canary 10%, cluster has primary 100% · canary 0%, noticed 2026-12-02 14:03:05 UTC (paused)',
    );
    const clean = await kanari(['get', 'prod/shop/checkout'], env);
    expect(clean.stdout).not.toContain('Drift');
  });
});

describe('watch', () => {
  it('prints a heartbeat with the next check during a long interval, and exits 0 on success', async () => {
    const watched = stub.rollouts.find((r) => r.id === 'prod/shop/cart') as RolloutState;
    watched.nextCheckAt = new Date(Date.now() + 3_600_000).toISOString();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'watch',
        'cart',
        '-n',
        'shop',
        '--cluster',
        'prod',
        '--poll',
        '50ms',
        '--heartbeat',
        '200ms',
      ],
      { env: { PATH: process.env.PATH ?? '', ...env } },
    );
    let stdout = '';
    const exited = new Promise<number>((resolve) =>
      child.on('exit', (code) => resolve(code ?? -1)),
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/next check in/.test(stdout)) resolve();
      }),
    );
    watched.phase = 'Succeeded';
    watched.canaryWeight = 100;
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^prod\/shop\/cart: Progressing · canary 30%\n/);
    expect(stdout).toMatch(/next check in (3600|3599) s \(step 3 of 5, canary 30%\)/);
    expect(stdout).toContain('prod/shop/cart: Succeeded · canary 100%');
  });

  it(`exits 7 when the rollout ends other than Succeeded`, async () => {
    const ended = stub.rollouts.find((r) => r.id === 'prod/shop/cart') as RolloutState;
    ended.phase = 'RolledBack';
    ended.canaryWeight = 0;
    ended.message = 'rolled back: errors';
    const run = await kanari(['watch', 'prod/shop/cart', '--poll', '50ms'], env);
    expect(run.code).toBe(7);
    expect(run.stderr).toBe('kanari: prod/shop/cart ended RolledBack: rolled back: errors\n');
  });
});
