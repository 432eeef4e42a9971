import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { runCli, serviceNamed, specFile, specNamed, workDir } from '../support/cli-runner.ts';
import { type ConsoleHarness, startConsoleHarness } from '../support/console-harness.ts';

let harness: ConsoleHarness;
let dir: string;
/** The CLI's whole environment: endpoint and token from env, HOME with no config file. */
let env: Record<string, string>;

const canaryWeight = (name: string): number | undefined => {
  const vs = harness.emulator.read('networking.istio.io/v1', 'VirtualService', 'default', name) as
    | VirtualService
    | undefined;
  return vs?.spec.http?.[0]?.route?.find((r) => r.destination.host === `${name}-v2`)?.weight;
};

/** Seeds a VirtualService `name` and starts a rollout on it through `kanari apply`. */
const started = async (name: string): Promise<string> => {
  await harness.seedService(serviceNamed(name));
  const run = await runCli(['apply', '-f', specFile(dir, name)], env);
  // The seed's `prefix: /` route hides its `/v2` route: a warning, never a refusal.
  expect(run.stderr).toMatch(/^kanari: warning: http route 1 \(prefix \/v2\) .* is never reached/);
  expect(run.code).toBe(0);
  await harness.settled();
  return `sandbox/default/${name}`;
};

beforeAll(async () => {
  harness = await startConsoleHarness(inject('dynamoEndpoint'));
  dir = workDir();
  env = { HOME: dir, KANARI_URL: harness.url, KANARI_TOKEN: harness.token };
});

afterAll(async () => {
  await harness?.stop();
});

describe('kanari validate and apply', () => {
  it('validates a spec locally and names each bad field by its path', async () => {
    const good = await runCli(['validate', '-f', specFile(dir, 'valid-one')], { HOME: dir });
    expect(good).toMatchObject({ code: 0, stderr: '' });
    expect(good.stdout).toContain('valid rollout spec for sandbox/default/valid-one');

    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        name: 'Bad_Name',
        target: {
          namespace: 'default',
          virtualService: 'x',
          primary: { host: 'x' },
          canary: { host: 'x-v2' },
        },
        analysis: { metrics: [{ name: 'request-success-rate', thresholdRange: {} }] },
      }),
    );
    const invalid = await runCli(['validate', '-f', bad], { HOME: dir });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('name: name must be a DNS label');
    expect(invalid.stderr).toContain('analysis.metrics[0].thresholdRange: needs min, max or both');

    const json = await runCli(['validate', '-f', bad, '-o', 'json'], { HOME: dir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).problems.map((p: { path: string }) => p.path)).toEqual([
      'name',
      'analysis.metrics[0].thresholdRange',
    ]);
  });

  it('refuses to apply an invalid spec, with the field path, and creates nothing', async () => {
    const file = join(dir, 'steps.yaml');
    writeFileSync(
      file,
      [
        'name: steps',
        'target: {namespace: default, virtualService: steps, primary: {host: steps}, canary: {host: steps-v2}}',
        'analysis: {stepWeights: [20, 10], metrics: [{name: request-duration, thresholdRange: {max: 500}}]}',
      ].join('\n'),
    );
    const sent = harness.requests.length;
    const run = await runCli(['apply', '-f', file], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'analysis.stepWeights[1]: must be greater than the previous weight',
    );
    expect(harness.requests.length).toBe(sent);
  });

  it('applies a spec; applied again in flight it is unchanged, updated, or refused naming the fields', async () => {
    const id = await started('applied');
    expect(canaryWeight('applied')).toBe(10);
    const again = await runCli(['apply', '-f', specFile(dir, 'applied')], env);
    expect([again.code, again.stdout]).toEqual([
      0,
      `${id} unchanged (revision 1, Progressing at canary 10%): the spec is the one it runs\n`,
    ]);
    const spec = specNamed('applied');
    const file = join(dir, 'applied-changed.yaml');
    writeFileSync(file, stringify({ ...spec, analysis: { ...spec.analysis, threshold: 4 } }));
    const updated = await runCli(['apply', '-f', file, '-o', 'json'], env);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ outcome: 'updated', warnings: [] });
    writeFileSync(file, stringify({ ...spec, analysis: { ...spec.analysis, interval: '5m' } }));
    const refused = await runCli(['apply', '-f', file], env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('these fields cannot change in flight: analysis.interval');
    expect(refused.stderr).toContain(`kanari abort ${id} --reason`);
    const ledger = await runCli(['get', id, '--ledger'], env);
    expect(ledger.stdout).toMatch(
      /r1 {2}Spec updated in flight: analysis\.threshold 2 → 4 by alice/,
    );
    expect(canaryWeight('applied')).toBe(10);
  });
});

describe('kanari list, get and watch', () => {
  it('lists rollouts as a table, JSON or YAML, filtered by phase', async () => {
    const id = await started('listed');
    const tableRun = await runCli(['list'], env);
    expect(tableRun.code).toBe(0);
    expect(tableRun.stdout).toMatch(/^ROLLOUT\s+PHASE\s+CANARY/);
    expect(tableRun.stdout).toMatch(new RegExp(`${id}\\s+Progressing\\s+10%`));

    const json = JSON.parse(
      (await runCli(['list', '-o', 'json', '--phase', 'Progressing'], env)).stdout,
    );
    expect(json.map((r: { id: string }) => r.id)).toContain(id);
    const yaml = parse((await runCli(['list', '-o', 'yaml', '--phase', 'Succeeded'], env)).stdout);
    expect(yaml.map((r: { id: string }) => r.id)).not.toContain(id);

    const badPhase = await runCli(['list', '--phase', 'Sleeping'], env);
    expect(badPhase).toMatchObject({ code: 2 });
    expect(badPhase.stderr).toContain(
      '--phase: "Sleeping" is not a phase; one of Pending, Progressing',
    );
    // Phases are matched without regard to case.
    const lower = JSON.parse(
      (await runCli(['list', '-o', 'json', '--phase', 'progressing'], env)).stdout,
    );
    expect(lower.map((r: { id: string }) => r.id)).toContain(id);
  });

  it('gets a rollout with its ledger in plain language', async () => {
    const id = await started('detailed');
    const run = await runCli(['get', id, '--ledger'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Phase\s+Progressing/);
    expect(run.stdout).toContain('canary 10% · primary 90%');
    expect(run.stdout).toContain('Started by alice ("rollout created") → first step at 10%');
    expect(run.stdout).toContain('Applied: primary 90% · canary 10% → Progressing');

    const yaml = parse((await runCli(['get', id, '--ledger', '-o', 'yaml'], env)).stdout);
    expect(yaml.rollout.id).toBe(id);
    expect(yaml.plan).toEqual([10, 20, 30, 40, 50]);
    expect(yaml.ledger.map((e: { kind: string }) => e.kind)).toEqual(['start', 'applied']);
  });

  it('says so when the rollout does not exist, with the closest names', async () => {
    const run = await runCli(['get', 'sandbox/default/nothing-here'], env);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: 'kanari: rollout sandbox/default/nothing-here not found\n',
    });
    const id = await started('spelled');
    const typo = await runCli(['get', 'speled', '-n', 'default', '--cluster', 'sandbox'], env);
    expect(typo).toEqual({
      code: 3,
      stdout: '',
      stderr: `kanari: rollout sandbox/default/speled not found; did you mean ${id}?\n`,
    });
    const bare = await runCli(['get', 'spelled', '--cluster', 'sandbox', '-o', 'name'], env);
    expect(bare).toEqual({ code: 0, stdout: `rollout/${id}\n`, stderr: '' });
    const noCluster = await runCli(['get', 'spelled'], env);
    expect(noCluster.code).toBe(2);
    expect(noCluster.stderr).toContain('no cluster for "spelled": pass --cluster');
    const malformed = await runCli(['get', 'default/spelled'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('or cluster/namespace/name');
  });

  it('watches until the end: exit 0 on success, 7 on a rollback', async () => {
    const good = await started('watched-good');
    const watching = runCli(['watch', good, '--poll', '100ms'], env);
    await runCli(['promote', good, '--full', '--reason', 'ship it'], env);
    const done = await watching;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(
      'Full promotion requested at 10% by alice ("ship it") → promote to 100%',
    );
    expect(done.stdout).toContain(`${good}: Succeeded · canary 100%`);

    const bad = await started('watched-bad');
    const watchingJson = runCli(['watch', bad, '--poll', '100ms', '-o', 'json'], env);
    await runCli(['rollback', bad, '--reason', 'errors in the logs'], env);
    const rolledBack = await watchingJson;
    expect(rolledBack.code).toBe(7);
    expect(rolledBack.stderr).toContain(`${bad} ended RolledBack`);
    const lines = rolledBack.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1).rollout.phase).toBe('RolledBack');
    expect(lines.some((l) => l.cause?.reason === 'errors in the logs')).toBe(true);
  });
});

describe('kanari actions', () => {
  it('pauses, resumes, promotes and rolls back, each recorded with the actor and reason', async () => {
    const id = await started('acted');
    const pause = await runCli(['pause', id, '--reason', 'waiting for the database team'], env);
    expect(pause.code).toBe(0);
    expect(pause.stdout).toContain('Paused at 10% by alice ("waiting for the database team")');
    expect(pause.stdout).toContain(`${id}: Paused · canary 10%`);

    expect((await runCli(['resume', id, '--reason', 'db is fine'], env)).code).toBe(0);
    const promote = await runCli(['promote', id, '--reason', 'looks good', '-o', 'json'], env);
    expect(JSON.parse(promote.stdout).rollout.pending.targetWeight).toBe(20);
    await harness.settled();
    expect(canaryWeight('acted')).toBe(20);

    const rollback = await runCli(['rollback', id, '--reason', 'p99 doubled'], env);
    expect(rollback.stdout).toContain(
      'Rollback requested at 20% by alice ("p99 doubled") → roll back to 0%',
    );
    await harness.settled();
    expect(canaryWeight('acted')).toBe(0);
    const event = harness.events.find(
      (e) => e.detailType === 'Rollback Requested' && e.detail.rolloutId === id,
    );
    expect(event?.detail.cause).toEqual({
      type: 'operator',
      actor: 'alice',
      reason: 'p99 doubled',
    });
  });

  it('refuses an action that does not fit the phase, naming the phase', async () => {
    const id = await started('refused');
    await runCli(['abort', id, '--reason', 'wrong build'], env);
    await harness.settled();
    const run = await runCli(['resume', id, '--reason', 'try again'], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      'kanari: cannot resume a rollout that is Aborted (current phase: Aborted)\n',
    );
  });

  it('requires a reason', async () => {
    const run = await runCli(['rollback', 'sandbox/default/acted'], env);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: "kanari: required option '--reason <text>' not specified\n",
    });
  });
});

describe('kanari credentials', () => {
  it('says what is missing when there is no endpoint or no token', async () => {
    const noUrl = await runCli(['list'], { HOME: dir });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('no API endpoint: pass --url, set KANARI_URL');
    const noToken = await runCli(['list', '--url', harness.url], { HOME: dir });
    expect(noToken.code).toBe(5);
    expect(noToken.stderr).toContain('no credentials: pass --token, set KANARI_TOKEN');
  });

  it('gets 401 with a wrong token, and the action changes nothing', async () => {
    const id = await started('guarded');
    const before = (await runCli(['get', id, '-o', 'json'], env)).stdout;
    const run = await runCli(['rollback', id, '--reason', 'x', '--token', 'not-the-token'], env);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('the API refused the credentials (401): invalid credentials');
    expect((await runCli(['get', id, '-o', 'json'], env)).stdout).toBe(before);
  });

  it('reads the endpoint and token from a config file, and flags win over it', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `url: ${harness.url}\ntoken: not-the-token\n`);
    const fromFile = await runCli(['list'], { HOME: dir, KANARI_CONFIG: config });
    expect(fromFile.stderr).toContain('(401)');
    const flagged = await runCli(['list', '--token', harness.token], {
      HOME: dir,
      KANARI_CONFIG: config,
    });
    expect(flagged).toMatchObject({ code: 0, stderr: '' });
    writeFileSync(config, 'url: localhost:3000\n');
    const broken = await runCli(['list'], { HOME: dir, KANARI_CONFIG: config });
    expect(broken).toMatchObject({
      code: 2,
      stderr: `kanari: url in ${config} must start with http:// or https:// (got 'localhost:3000')\n`,
    });
    writeFileSync(config, 'url: [unclosed\n');
    const invalid = await runCli(['list'], { HOME: dir, KANARI_CONFIG: config });
    expect(invalid.stderr).toContain(`invalid config file ${config}:`);
  });

  it('signs with SigV4 for the execute-api service when asked', async () => {
    harness.requests.length = 0;
    const run = await runCli(['list', '--sigv4', '--region', 'eu-west-1'], env);
    // The local API knows bearer tokens only; what matters is what was sent.
    expect(run.code).toBe(5);
    expect(harness.requests).toEqual([
      {
        method: 'GET',
        path: '/rollouts',
        scheme: 'AWS4-HMAC-SHA256',
        scope: 'eu-west-1/execute-api/aws4_request',
      },
    ]);
  });
});

describe('the kanari binary', () => {
  it('exits 3 for a rollout not found, with the message on stderr', async () => {
    const bin = new URL('../../bin/kanari.js', import.meta.url).pathname;
    const failed = await promisify(execFile)(
      process.execPath,
      [bin, 'get', 'sandbox/default/absent', '--url', harness.url, '--token', harness.token],
      { env: { PATH: process.env.PATH, HOME: dir } },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code: 3,
      stderr: 'kanari: rollout sandbox/default/absent not found\n',
    });
  });
});
