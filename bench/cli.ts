/**
 * npm run bench:cli: how long `kanari --help` and `kanari list` take to start and finish on
 * this machine, run as a user runs them (node bin/kanari.js, the built bundle). `list` talks to
 * a small stand-in of the API on 127.0.0.1 holding 20 rollouts. `node -e 0` is measured too:
 * what Node itself costs here. Target: a median of at most 300 ms.
 *
 * Options: --runs N (per command, default 20), --source (also time the TypeScript sources
 * through tsx, as before the bundle: 5 runs each).
 * The last line of output is JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../scripts/build-cli.ts';
import { startApiStub } from '../test/support/api-stub.ts';
import { rolloutState } from '../test/support/rollout-fixtures.ts';

const at = process.argv.indexOf('--runs');
const RUNS = at >= 0 ? Number(process.argv[at + 1]) : 20;
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 1000) {
  process.stderr.write('--runs must be an integer from 1 to 1000\n');
  process.exit(1);
}
const SOURCE = process.argv.includes('--source');
const BIN = fileURLToPath(new URL('../bin/kanari.js', import.meta.url));

await buildCli();
const stub = await startApiStub(
  Array.from({ length: 20 }, (_, i) =>
    rolloutState(`bench/shop/svc-${String(i).padStart(2, '0')}`),
  ),
);
const env = {
  PATH: process.env.PATH ?? '',
  HOME: mkdtempSync(join(tmpdir(), 'kanari-bench-')),
  KANARI_URL: stub.url,
  KANARI_TOKEN: stub.token,
};

/** One run's wall time, from spawn to exit; the stub answers from this process meanwhile. */
const time = (args: string[], extra: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    execFile(process.execPath, args, { env: { ...env, ...extra } }, (error, _out, stderr) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (error) reject(new Error(`${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(ms);
    });
  });

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;

interface Row {
  what: string;
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
}
const measure = async (what: string, args: string[], runs: number, extra = {}): Promise<Row> => {
  await time(args, extra); // warm the file cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await time(args, extra));
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms);
  return {
    what,
    runs,
    medianMs: round(quantile(times, 0.5)),
    p90Ms: round(quantile(times, 0.9)),
    minMs: round(times[0] as number),
  };
};

const rows: Row[] = [
  await measure('node -e 0 (Node alone)', ['-e', '0'], RUNS),
  await measure('kanari --help', [BIN, '--help'], RUNS),
  await measure('kanari list (20 rollouts)', [BIN, 'list'], RUNS),
];
if (SOURCE) {
  const source = { KANARI_FROM_SOURCE: '1' };
  rows.push(await measure('kanari --help (sources, tsx)', [BIN, '--help'], 5, source));
  rows.push(await measure('kanari list (sources, tsx)', [BIN, 'list'], 5, source));
}
await stub.stop();

const widths = [32, 6, 10, 8, 8];
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' ');
console.log(line(['command', 'runs', 'median ms', 'p90 ms', 'min ms']));
for (const r of rows)
  console.log(line([r.what, String(r.runs), String(r.medianMs), String(r.p90Ms), String(r.minMs)]));
const target = 300;
const worst = Math.max(
  ...rows
    .filter((r) => r.what.startsWith('kanari') && !r.what.includes('tsx'))
    .map((r) => r.medianMs),
);
console.log(
  `target: median ≤ ${target} ms: ${worst <= target ? 'met' : 'not met'} (worst median ${worst} ms)`,
);
// Other work on the machine slows every row alike; the load says how busy it was.
const load = loadavg().map((n) => Number(n.toFixed(2)));
console.log(`load average: ${load.join(', ')}`);
console.log(JSON.stringify({ rows, targetMs: target, met: worst <= target, loadAverage: load }));
