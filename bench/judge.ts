/**
 * npm run bench:judge: how each decision rule fares on synthetic canary traffic (issue 8 §9).
 *
 * Every scenario in bench/judge/scenarios.ts is simulated --runs times (default 1000) with a
 * fixed seed; every rule reads the same runs. kanari's default judge runs through the same
 * `replay` as `kanari judge replay`. Per scenario and rule it prints the rollback rate with its
 * 95% Wilson interval, the median and p90 minutes to rollback (a run that never rolls back
 * counts as ∞), the median canary requests served before a rollback, the promotion rate and
 * median minutes to promotion (∞ when most runs never promote), and how many runs ended with
 * neither. The last line of output is JSON (null stands for ∞).
 *
 * Options: --runs N (default 1000), --seed N (default 8), --only KEY[,KEY] (some scenarios),
 * --buckets istio|fine (the latency histogram whose p99 bucket bound defines "slow"; default
 * istio, Istio's default buckets, which is what kanari reads by default).
 * A benchmark, not a test: nothing in the suite runs it.
 */
import { ENGINES, type Outcome } from './judge/engines.ts';
import { mulberry32, samplerOf, seedOf } from './judge/random.ts';
import { columns, formatMinutes, formatPercent, quantile, wilson } from './judge/report.ts';
import { BUCKET_SETS, type BucketSet, SCENARIOS, slowBoundOf } from './judge/scenarios.ts';
import { type SimulatedRun, simulateRun } from './judge/simulate.ts';

const option = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const integer = (name: string, fallback: number): number => {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} must be a positive integer\n`);
    process.exit(1);
  }
  return value;
};
const RUNS = integer('runs', 1000);
const SEED = integer('seed', 8);
const ONLY = option('only')?.split(',');
const BUCKETS_OPTION = option('buckets') ?? 'istio';
if (!(BUCKETS_OPTION in BUCKET_SETS)) {
  process.stderr.write(`--buckets must be one of ${Object.keys(BUCKET_SETS)}\n`);
  process.exit(1);
}
const SLOW_BOUND_MS = slowBoundOf(BUCKETS_OPTION as BucketSet);
const scenarios = ONLY ? SCENARIOS.filter((s) => ONLY.includes(s.key)) : SCENARIOS;
if (scenarios.length === 0) {
  process.stderr.write(`--only matches no scenario; known: ${SCENARIOS.map((s) => s.key)}\n`);
  process.exit(1);
}

const minutes = (seconds: number | null) => (seconds === null ? Infinity : seconds / 60);
const canaryRequestsUntil = (run: SimulatedRun, t: number) =>
  run.buckets.reduce((n, b) => (b.t <= t ? n + b.canary.requests : n), 0);

interface Row {
  key: string;
  engine: string;
  rollbackRate: number;
  wilson: [number, number];
  medianMinutes: number;
  p90Minutes: number;
  medianCanaryRequests: number;
  promotionRate: number;
  medianPromotionMinutes: number;
  neitherRate: number;
}

const started = performance.now();
const rows: Row[] = [];
for (const [index, scenario] of scenarios.entries()) {
  const outcomes = ENGINES.map(() => [] as { outcome: Outcome; requests: number }[]);
  const scenarioStart = performance.now();
  for (let r = 0; r < RUNS; r++) {
    // Each run has its own stream, so --runs N gives the first N runs of the full benchmark.
    const run = simulateRun(
      scenario,
      samplerOf(mulberry32(seedOf(SEED, SCENARIOS.indexOf(scenario), r))),
      SLOW_BOUND_MS,
    );
    for (const [e, engine] of ENGINES.entries()) {
      const outcome = engine.judge(run, scenario);
      const requests =
        outcome.rollbackAt === null ? 0 : canaryRequestsUntil(run, outcome.rollbackAt);
      outcomes[e]?.push({ outcome, requests });
    }
  }
  for (const [e, engine] of ENGINES.entries()) {
    const list = outcomes[e] ?? [];
    const rolled = list.filter((o) => o.outcome.rollbackAt !== null);
    const promoted = list.filter((o) => o.outcome.promoteAt !== null).length;
    const toRollback = list.map((o) => minutes(o.outcome.rollbackAt));
    rows.push({
      key: scenario.key,
      engine: engine.name,
      rollbackRate: rolled.length / list.length,
      wilson: wilson(rolled.length, list.length),
      medianMinutes: quantile(toRollback, 0.5),
      p90Minutes: quantile(toRollback, 0.9),
      medianCanaryRequests: quantile(
        rolled.map((o) => o.requests),
        0.5,
      ),
      promotionRate: promoted / list.length,
      medianPromotionMinutes: quantile(
        list.map((o) => minutes(o.outcome.promoteAt)),
        0.5,
      ),
      neitherRate: (list.length - rolled.length - promoted) / list.length,
    });
  }
  process.stderr.write(
    `${scenario.key}: ${RUNS} runs in ${((performance.now() - scenarioStart) / 1000).toFixed(1)} s (${index + 1}/${scenarios.length})\n`,
  );
}

const header = [
  'SCENARIO',
  'RULE',
  'ROLLBACK',
  '95% CI',
  'MEDIAN MIN',
  'P90 MIN',
  'CANARY REQ',
  'PROMOTED',
  'PROMOTE MIN',
  'NEITHER',
];
const body = rows.map((row) => [
  `${row.key}${SCENARIOS.find((s) => s.key === row.key)?.isNull ? ' (null)' : ''}`,
  row.engine,
  formatPercent(row.rollbackRate),
  `${formatPercent(row.wilson[0])}–${formatPercent(row.wilson[1])}`,
  formatMinutes(row.medianMinutes),
  formatMinutes(row.p90Minutes),
  Number.isNaN(row.medianCanaryRequests) ? '–' : String(row.medianCanaryRequests),
  formatPercent(row.promotionRate),
  formatMinutes(row.medianPromotionMinutes),
  formatPercent(row.neitherRate),
]);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `judge benchmark: ${RUNS} runs per scenario, seed ${SEED}, ${seconds.toFixed(1)} s; slow = above the primary's p99 bucket bound, ${SLOW_BOUND_MS} ms (${BUCKETS_OPTION} buckets)\n` +
    'MIN columns: minutes; ∞ = most runs never did it; CANARY REQ: median canary requests served before a rollback\n\n' +
    `${columns([header, ...body])}\n`,
);
const finite = (value: number) => (Number.isFinite(value) ? Number(value.toFixed(2)) : null);
process.stdout.write(
  `${JSON.stringify({
    scenarios: rows.map((row) => ({
      key: row.key,
      engine: row.engine,
      rollbackRate: Number(row.rollbackRate.toFixed(4)),
      medianMinutes: finite(row.medianMinutes),
      p90Minutes: finite(row.p90Minutes),
    })),
  })}\n`,
);
