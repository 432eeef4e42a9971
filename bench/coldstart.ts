/**
 * npm run bench:coldstart: what each Lambda package costs at a cold start. Runs `osls package`
 * once (into a temp dir), then for each function reads its zip's size, unpacks it, and times
 * `await import()` of its bundle in a fresh Node process, the way Lambda loads it (with
 * NODE_OPTIONS=--enable-source-maps and the environment the handlers read at import). An
 * empty handler bundle, timed the same way, is the baseline: `importMs` in the JSON is a
 * function's median minus the baseline's median; the table gives both.
 *
 * Goals: every function <= 300 KB zipped and <= 100 ms over the baseline; shift-traffic
 * <= 1 MB and <= 250 ms.
 *
 * Bundles are timed in rounds, each importing every bundle and the baseline once, and the table
 * gives each median's quartiles too: this machine is shared, and its slow spells come and go.
 *
 * Options: --runs N (rounds, default 15), --package DIR (time the zips already in DIR instead
 * of packaging). Progress and the table go to stderr; stdout's last line is JSON.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { readZip } from '../test/support/zip.ts';
import { option, say } from './fleet.ts';

const GOALS: Record<string, { zipBytes: number; importMs: number }> = {
  'shift-traffic': { zipBytes: 1_000_000, importMs: 250 },
};
const DEFAULT_GOAL = { zipBytes: 300_000, importMs: 100 };

const RUNS = option('runs', 15);
const at = process.argv.indexOf('--package');
const given = at >= 0 ? process.argv[at + 1] : undefined;
const ROOT = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'kanari-coldstart-'));
const run = promisify(execFile);

const packageDir = async (): Promise<string> => {
  if (given) return given;
  const out = join(work, 'package');
  say('packaging with osls ...');
  const osls = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
  await run(process.execPath, [osls, 'package', '--stage', 'bench', '--package', out], {
    cwd: ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return out;
};

/** A kubeconfig with one context, enough for the Kubernetes wiring to load at import. */
const kubeconfig = (): string => {
  const file = join(work, 'kubeconfig');
  const ca = join(work, 'ca.pem');
  writeFileSync(ca, '');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bench', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [{ name: 'bench', user: { token: 'bench-token' } }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
      'current-context': 'bench',
    }),
  );
  return file;
};

const ENV = {
  PATH: process.env.PATH ?? '',
  HOME: work,
  NODE_OPTIONS: '--enable-source-maps',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'not-a-secret',
  KANARI_TABLE: 'kanari-bench',
  KANARI_EVENT_BUS: 'kanari-bench',
  PROMETHEUS_URL: 'http://127.0.0.1:9',
  KUBECONFIG: kubeconfig(),
};

// Prints the milliseconds `await import()` of the file takes, from just before to just after.
const TIMER =
  'const t=performance.now();await import(process.argv[1]);' +
  'process.stdout.write(String(performance.now()-t));process.exit(0)';

const importMs = async (file: string): Promise<number> => {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', TIMER, pathToFileURL(file).href],
    { env: ENV },
  );
  return Number(stdout);
};

/** The median and the quartiles of a sample. */
const spread = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor((sorted.length - 1) * q)] as number;
  return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
};

/**
 * Times every file RUNS times, in rounds: each round imports each file once, so a slow spell
 * of this shared machine falls on every function and on the baseline alike.
 */
const timeAll = async (files: string[]): Promise<ReturnType<typeof spread>[]> => {
  for (const file of files) await importMs(file); // warm the file cache
  const times = files.map((): number[] => []);
  for (let round = 0; round < RUNS; round++)
    for (const [i, file] of files.entries()) times[i]?.push(await importMs(file));
  return times.map(spread);
};

/** Unpacks a zip under `work` and returns the path of its handler bundle. */
const unpack = (zip: Buffer, name: string): string => {
  const dir = join(work, 'unpacked', name);
  let bundle: string | undefined;
  for (const [path, data] of readZip(zip)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
    if (path === `functions/${name}.mjs`) bundle = join(dir, path);
  }
  if (!bundle) throw new Error(`${name}.zip holds no functions/${name}.mjs`);
  return bundle;
};

const baselineFile = join(work, 'empty', 'handler.mjs');
mkdirSync(dirname(baselineFile), { recursive: true });
writeFileSync(baselineFile, 'export const handler = async () => ({});\n');

try {
  const dir = await packageDir();
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.zip'))
    .map((f) => f.slice(0, -4))
    .sort();
  say(`timing ${RUNS} rounds of imports of every bundle ...`);
  const zips = names.map((name) => readFileSync(join(dir, `${name}.zip`)));
  const [baseline, ...timed] = await timeAll([
    baselineFile,
    ...names.map((name, i) => unpack(zips[i] as Buffer, name)),
  ]);
  const baselineMs = (baseline as ReturnType<typeof spread>).median;
  const functions = names.map((name, i) => {
    const zipBytes = (zips[i] as Buffer).length;
    const { median, q1, q3 } = timed[i] as ReturnType<typeof spread>;
    const goal = GOALS[name] ?? DEFAULT_GOAL;
    const overMs = median - baselineMs;
    return {
      name,
      zipBytes,
      rawMedianMs: Math.round(median),
      importMs: Math.round(overMs),
      quartilesMs: [Math.round(q1 - baselineMs), Math.round(q3 - baselineMs)],
      met: zipBytes <= goal.zipBytes && overMs <= goal.importMs,
    };
  });
  const widths = [18, 11, 11, 11, 11, 0];
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join(' ');
  say(line(['function', 'zip bytes', 'import ms', 'over base', 'quartiles', 'goal']));
  say(line(['(empty handler)', '-', String(Math.round(baselineMs)), '0', '', '']));
  for (const f of functions) {
    const goal = GOALS[f.name] ?? DEFAULT_GOAL;
    const target = `${goal.zipBytes / 1000} KB, ${goal.importMs} ms`;
    say(
      line([
        f.name,
        String(f.zipBytes),
        String(f.rawMedianMs),
        String(f.importMs),
        f.quartilesMs.join('–'),
        `${f.met ? 'met' : 'MISSED'} (${target})`,
      ]),
    );
  }
  const load = loadavg().map((n) => Number(n.toFixed(2)));
  say(`${RUNS} rounds, medians and quartiles over the baseline; load average ${load.join(', ')}`);
  console.log(
    JSON.stringify({
      baselineMs: Math.round(baselineMs),
      importMs: 'median minus baselineMs',
      functions,
      loadAverage: load,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
