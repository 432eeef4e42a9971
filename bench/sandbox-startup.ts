/**
 * npx tsx bench/sandbox-startup.ts: how long `kanari sandbox` takes to come up on this machine,
 * in all and per service, as a user runs it.
 *
 * Runs the real CLI (`kanari sandbox --scenario <name> --json`) --runs times, one after
 * another, each starting its own DynamoDB Local, and reads the start-up times from the JSON
 * summary it prints last. The total counts from the CLI process's start, so it includes the CLI
 * loading itself. Prints a table (median, min, max), then the figures as JSON on the last line.
 *
 * Options: --runs N (default 3), --scenario NAME (default errors: the shortest rollout).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatElapsed } from '../sandbox/progress.ts';

const BIN = fileURLToPath(new URL('../bin/kanari.js', import.meta.url));

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const RUNS = Number(argument('runs') ?? 3);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
const SCENARIO = argument('scenario') ?? 'errors';

interface Startup {
  totalMs: number;
  services: { service: string; ms: number }[];
}

const runOnce = (): Promise<Startup> =>
  new Promise((resolve, reject) => {
    const env = { ...process.env };
    // Each run starts its own DynamoDB Local, as a user's sandbox does.
    delete env.KANARI_SANDBOX_DYNAMODB_ENDPOINT;
    execFile(
      process.execPath,
      [BIN, 'sandbox', '--scenario', SCENARIO, '--json'],
      { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`kanari sandbox failed: ${stderr.slice(-2_000)}`));
        const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
        resolve(summary.startup as Startup);
      },
    );
  });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const runs: Startup[] = [];
for (let run = 1; run <= RUNS; run++) {
  const startup = await runOnce();
  runs.push(startup);
  console.error(`run ${run}/${RUNS}: sandbox ready in ${formatElapsed(startup.totalMs)}`);
}

const names = [...new Set(runs.flatMap((r) => r.services.map((s) => s.service)))];
const rows = [
  ...names.map((name) => ({
    name,
    values: runs.flatMap((r) => r.services.filter((s) => s.service === name).map((s) => s.ms)),
  })),
  { name: 'Sandbox (total, CLI start included)', values: runs.map((r) => r.totalMs) },
];
const width = Math.max(...rows.map((row) => row.name.length));
console.log(
  `kanari sandbox --scenario ${SCENARIO}: start-up over ${RUNS} runs (Node ${process.version})`,
);
console.log(
  `${'service'.padEnd(width)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}  ${'max'.padStart(8)}`,
);
for (const { name, values } of rows)
  console.log(
    `${name.padEnd(width)}  ${formatElapsed(median(values)).padStart(8)}  ${formatElapsed(Math.min(...values)).padStart(8)}  ${formatElapsed(Math.max(...values)).padStart(8)}`,
  );
console.log(
  JSON.stringify({
    scenario: SCENARIO,
    runs: RUNS,
    medianMs: Object.fromEntries(
      rows.map(({ name, values }) => [name, Math.round(median(values))]),
    ),
  }),
);
