import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  findBinary,
  PrometheusMissingError,
  type RunningPrometheus,
  startPrometheus,
} from '../../sandbox/prometheus.ts';
import { fixtureOpenMetrics, fixtureT0 } from '../support/count-fixture.ts';
import { seedSpec } from '../support/fixtures.ts';

/**
 * `kanari judge backtest` against a real Prometheus holding the known counters of
 * test/support/count-fixture.ts (backfilled with promtool); the expected totals are worked
 * out by hand from that file's rules.
 */
const BIN = fileURLToPath(new URL('../../bin/kanari.js', import.meta.url));
const T0 = fixtureT0();
let workDir: string;
let prometheus: RunningPrometheus;
let specFile: string;

const cli = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'judge', 'backtest', ...args],
      { timeout: 60_000, env: { ...process.env, KANARI_PROMETHEUS_URL: '', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

beforeAll(async () => {
  const promtool = findBinary('promtool');
  if (!promtool) throw new PrometheusMissingError('promtool');
  workDir = await mkdtemp(join(tmpdir(), 'kanari-backtest-'));
  const input = join(workDir, 'fixture.om');
  await writeFile(input, fixtureOpenMetrics(T0));
  await promisify(execFile)(promtool, [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    input,
    join(workDir, 'blocks'),
  ]);
  prometheus = await startPrometheus({ scrapeTargets: [], blocksDir: join(workDir, 'blocks') });
  const base = seedSpec();
  const spec = {
    ...base,
    target: {
      ...base.target,
      namespace: 'shop',
      primary: { host: 'web-primary' },
      canary: { host: 'web-canary' },
    },
    analysis: {
      ...base.analysis,
      metrics: [
        { name: 'request-success-rate', judge: 'compare' },
        { name: 'request-duration', judge: { type: 'compare', bounds: [{ ms: 250 }] } },
      ],
    },
  };
  specFile = join(workDir, 'spec.yaml');
  await writeFile(specFile, stringify(spec));
});

afterAll(async () => {
  await prometheus?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const expectRefusal = (run: { code: number; stdout: string; stderr: string }, line: RegExp) => {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(run.stderr).toMatch(line);
};

describe('kanari judge backtest', () => {
  it("replays the recorded counts through the spec's compare judge", async () => {
    const run = await cli([
      '-f',
      specFile,
      '--from',
      String(T0),
      '--to',
      new Date((T0 + 60) * 1000).toISOString(),
      '--prometheus',
      prometheus.url,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const last = out.decisions.at(-1);
    expect(last.t).toBe(T0 + 60);
    // Six buckets: canary 5 × 200 + 1 × 500 per 5 s (restart: one interval at T0 + 40), so
    // 66 requests and 11 errors; primary 31 per 5 s, 372 requests, 12 errors. At ≤ 250 ms:
    // canary 3 of 6 per 5 s (33 of 66 slow), primary 27 of 31 (48 of 372 slow).
    expect(last.evidence.errors.canary).toEqual({ requests: 66, bad: 11 });
    expect(last.evidence.errors.primary).toEqual({ requests: 372, bad: 12 });
    expect(last.evidence.slow.canary).toEqual({ requests: 66, bad: 33 });
    expect(last.evidence.slow.primary).toEqual({ requests: 372, bad: 48 });
    expect(out.slowerThanMs).toBe(250);
    expect(out.spec.metrics).toEqual(['errors', 'slow']);
    // Canary errors ~5× the primary's on 23 events: a regression at α = 0.005 per metric or not,
    // the verdict must be the replay's: never non-inferior on 66 canary requests (minRequests).
    expect(out.final.verdict).not.toBe('non-inferior');
  });

  it('prints a table with -o table, reading the URL from KANARI_PROMETHEUS_URL', async () => {
    const run = await cli(
      ['-f', specFile, '--from', String(T0), '--to', String(T0 + 60), '-o', 'table'],
      { KANARI_PROMETHEUS_URL: prometheus.url },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^TIME +VERDICT +EVIDENCE/);
    expect(run.stdout).toMatch(/final: \w+ at .*slow = above 250 ms/);
  });

  it('refuses a bad time, --from after --to, a bad spec, and a Prometheus not answering', async () => {
    const args = ['-f', specFile, '--prometheus', prometheus.url];
    expectRefusal(
      await cli([...args, '--from', 'yesterday', '--to', String(T0)]),
      /--from: not a time/,
    );
    expectRefusal(
      await cli([...args, '--from', String(T0 + 60), '--to', String(T0)]),
      /--from: must be before --to/,
    );
    const bad = join(workDir, 'bad.yaml');
    await writeFile(bad, 'name: x\n');
    expectRefusal(
      await cli([
        '-f',
        bad,
        '--from',
        String(T0),
        '--to',
        String(T0 + 60),
        '--prometheus',
        prometheus.url,
      ]),
      /invalid rollout spec in .*bad\.yaml: /,
    );
    expectRefusal(
      await cli([
        '-f',
        specFile,
        '--from',
        String(T0),
        '--to',
        String(T0 + 60),
        '--prometheus',
        'http://127.0.0.1:9',
      ]),
      /Prometheus at http:\/\/127\.0\.0\.1:9: /,
    );
  });
});
