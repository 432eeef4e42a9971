/**
 * npm run bench:scale: what one scheduler tick costs for a fleet of N rollouts, on this machine.
 *
 * Real components: DynamoDB Local holds N rollouts, each Progressing at 10% and due; a real
 * Prometheus scrapes a fleet exporter (bench/fleet-exporter.ts) serving Istio's telemetry for
 * their 2N workloads. Each N runs its tick in a fresh child process (so its peak RSS is its
 * own) through the real adapters: `analyzeDue` with the scheduler's settings, fanning out into
 * shards past the batch size; the shards run one after another in that process, each timed.
 *
 * Reported per N: wall seconds of the tick (the scheduler plus its slowest shard, as Lambda
 * runs shards side by side; the sum of all shards too), PromQL queries sent, DynamoDB requests
 * sent, peak RSS of the child. The spec is the default: the two built-in threshold checks.
 *
 * Options: --sizes 10,100,1000,10000 (default), --batch N (the fan-out batch size, default
 * the scheduler's). Progress goes to stderr; stdout's last line is JSON:
 * `{"runs":[{"rollouts","tickSeconds","queries","dynamoRequests","peakRssMb"}]}`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoRolloutStore } from '../lib/adapters/dynamodb/index.ts';
import { stateItem } from '../lib/adapters/dynamodb/items.ts';
import { createPrometheusMetricsProvider } from '../lib/adapters/prometheus/index.ts';
import type { AnalyzeOutcome } from '../lib/app/analyze-due.ts';
import {
  analyzeShard,
  DEFAULT_ANALYZE_BATCH_SIZE,
  scheduledTick,
  type TickDeps,
} from '../lib/app/analyze-tick.ts';
import { applyDecision } from '../lib/app/apply-decision.ts';
import { startRollout } from '../lib/app/start-rollout.ts';
import { TRAFFIC_REQUESTS } from '../lib/domain/events.ts';
import type { RolloutSpec } from '../lib/domain/rollout-spec.ts';
import type { AnalysisShard } from '../lib/domain/shards.ts';
import type { RolloutState } from '../lib/domain/state.ts';
import type { MetricsProvider } from '../lib/ports/metrics-provider.ts';
import { createTable, localDynamoClients, startDynamoDbLocal } from '../sandbox/dynamodb-local.ts';
import { startPrometheus } from '../sandbox/prometheus.ts';
import { FakeEventBus } from '../test/fakes/fake-event-bus.ts';
import { FakeTrafficRouter } from '../test/fakes/fake-traffic-router.ts';
import { createInMemoryRolloutStore } from '../test/fakes/in-memory-rollout-store.ts';
import { countRequests } from '../test/support/count-requests.ts';
import { fleetVirtualService, say } from './fleet.ts';
import { startFleetExporter } from './fleet-exporter.ts';

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

interface Run {
  rollouts: number;
  tickSeconds: number;
  queries: number;
  dynamoRequests: number;
  peakRssMb: number;
  shards: number;
  slowestShardSeconds: number;
  allShardsSeconds: number;
  ledgerWrites: number;
  outcomes: Record<string, number>;
  /** Until the first measure phase ended: the listing and the metric queries. */
  listAndMeasureSeconds: number;
}

const NAMESPACE = 'default';
const CANARY_RPS = 1;
const PRIMARY_RPS = 9;
const name = (i: number) => `svc-${String(i).padStart(5, '0')}`;

const spec = (service: string): RolloutSpec => {
  const vs = fleetVirtualService(service);
  return {
    name: service,
    target: {
      cluster: 'sandbox',
      namespace: NAMESPACE,
      virtualService: vs.metadata.name,
      primary: { host: service },
      canary: { host: `${service}-v2` },
    },
    analysis: {
      interval: '1m',
      threshold: 2,
      stepWeights: [10, 20, 30],
      progressDeadline: '30m',
      minSampleSize: 10,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 } },
        { name: 'request-duration', thresholdRange: { max: 500 } },
      ],
    },
  } as RolloutSpec;
};

/**
 * N rollouts at 10%, due now: started and stepped in memory with a clock two minutes back,
 * then written to the table as state items (BatchWriteItem, 25 at a time).
 */
const seed = async (endpoint: string, tableName: string, count: number): Promise<void> => {
  const store = createInMemoryRolloutStore();
  const router = new FakeTrafficRouter();
  const bus = new FakeEventBus();
  const past = new Date(Date.now() - 120_000);
  let ids = 0;
  const deps = { store, bus, router, now: () => past, newId: () => `seed-${++ids}` };
  const states: RolloutState[] = [];
  for (let i = 0; i < count; i++) {
    const s = spec(name(i));
    router.put('sandbox', fleetVirtualService(s.name));
    const { state } = await startRollout(deps, s, { type: 'scheduler' });
    for (const event of bus.drain())
      if (TRAFFIC_REQUESTS.includes(event.detailType)) await applyDecision(deps, event.detail);
    const applied = await store.get(state.id);
    if (applied?.canaryWeight !== 10) throw new Error(`seeding ${state.id} did not reach 10%`);
    states.push(applied);
  }
  const { doc } = localDynamoClients(endpoint);
  const chunks: RolloutState[][] = [];
  for (let i = 0; i < states.length; i += 25) chunks.push(states.slice(i, i + 25));
  const write = async (items: Record<string, unknown>[]) => {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await doc.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  };
  const workers = Array.from({ length: 8 }, async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
      await write(chunk.map((state) => stateItem(state)));
  });
  await Promise.all(workers);
  doc.destroy();
};

/** The child: one tick over the table, through the real adapters, counted. */
const child = async (): Promise<void> => {
  const endpoint = process.env.KANARI_BENCH_DYNAMO as string;
  const tableName = process.env.KANARI_BENCH_TABLE as string;
  const prometheusUrl = process.env.KANARI_BENCH_PROMETHEUS as string;
  const rollouts = Number(argument('rollouts'));
  const { dynamo } = localDynamoClients(endpoint);
  const dynamoRequests = countRequests(dynamo);
  let ledgerWrites = 0;
  const prometheus = createPrometheusMetricsProvider({ url: prometheusUrl });
  let queries = 0;
  const counted: MetricsProvider = {
    runQuery: (query) => {
      queries++;
      return prometheus.runQuery(query);
    },
    queryVector: (query, at) => {
      queries++;
      return prometheus.queryVector(query, at);
    },
    queryRange: (query, range) => {
      queries++;
      return prometheus.queryRange(query, range);
    },
    isOnline: () => prometheus.isOnline(),
  };
  let ids = 0;
  const requested: AnalysisShard[] = [];
  const measuredAt: number[] = [];
  const deps: TickDeps = {
    store: createDynamoRolloutStore({ client: dynamo, tableName }),
    bus: new FakeEventBus(),
    now: () => new Date(),
    newId: () => `tick-${++ids}`,
    metricsFor: () => counted,
    // analyzeStates logs this once its measure phase is done: what follows is judging and writing.
    log: (message: string) => {
      if (message === 'metric queries') measuredAt.push(performance.now());
    },
    batchSize: Number(argument('batch') ?? DEFAULT_ANALYZE_BATCH_SIZE),
    // In Lambda each shard is its own invocation, side by side; here they run one by one.
    shards: { request: async (shards) => void requested.push(...shards) },
  };
  const seconds = (since: number) => (performance.now() - since) / 1000;
  const started = performance.now();
  const tick = await scheduledTick(deps);
  const schedulerSeconds = seconds(started);
  const outcomes: AnalyzeOutcome[] = tick.outcome === 'analyzed' ? tick.results : [];
  const shardSeconds: number[] = [];
  for (const shard of requested) {
    const shardStarted = performance.now();
    outcomes.push(...(await analyzeShard(deps, shard)));
    shardSeconds.push(seconds(shardStarted));
  }
  const slowest = Math.max(0, ...shardSeconds);
  const round = (value: number) => Number(value.toFixed(2));
  ledgerWrites = outcomes.filter((o) => o.outcome === 'held' || o.outcome === 'decided').length;
  const tally: Record<string, number> = {};
  for (const o of outcomes) tally[o.outcome] = (tally[o.outcome] ?? 0) + 1;
  const run: Run = {
    rollouts,
    tickSeconds: round(schedulerSeconds + slowest),
    queries,
    dynamoRequests: dynamoRequests.sent.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    shards: Math.max(1, requested.length),
    slowestShardSeconds: round(requested.length > 0 ? slowest : schedulerSeconds),
    allShardsSeconds: round(schedulerSeconds + shardSeconds.reduce((a, b) => a + b, 0)),
    ledgerWrites,
    outcomes: tally,
    listAndMeasureSeconds: round(((measuredAt[0] ?? started) - started) / 1000),
  };
  console.log(JSON.stringify(run));
};

const runChild = (env: Record<string, string>, rollouts: number): Promise<Run> =>
  new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        '--rollouts',
        String(rollouts),
        ...(argument('batch') ? ['--batch', argument('batch') as string] : []),
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`the tick for ${rollouts} rollouts exited ${code}`));
      else resolve(JSON.parse(last) as Run);
    });
  });

const waitFor = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
};

/**
 * A real Prometheus holding the series of N rollouts' 2N workloads (scraped every 5 s from the
 * fleet exporter), ready for one-minute rate windows, for the length of `run`.
 */
const withMesh = async <T>(rollouts: number, run: (prometheusUrl: string) => Promise<T>) => {
  const workloads = Array.from({ length: rollouts }, (_, i) => [
    { name: name(i), rps: PRIMARY_RPS },
    { name: `${name(i)}-v2`, rps: CANARY_RPS },
  ]).flat();
  const exporter = await startFleetExporter({ namespace: NAMESPACE, workloads });
  const prometheus = await startPrometheus({
    scrapeTargets: [exporter.target],
    scrapeIntervalSeconds: 5,
  });
  try {
    const metrics = createPrometheusMetricsProvider({ url: prometheus.url });
    const series = workloads.length * exporter.seriesPerWorkload;
    await waitFor(
      async () => (await metrics.runQuery('count(istio_requests_total)')) === workloads.length * 2,
      120_000,
      `Prometheus to hold ${series} series`,
    );
    // Three scrapes at least, so that rate() over the checks' one-minute window has points.
    await new Promise((r) => setTimeout(r, 15_000));
    say(`Prometheus holds ${series} series of ${workloads.length} workloads`);
    return await run(prometheus.url);
  } finally {
    await prometheus.stop();
    await exporter.stop();
  }
};

const main = async (): Promise<void> => {
  const sizes = (argument('sizes') ?? '10,100,1000,10000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--sizes must be positive integers, e.g. 10,100,1000');
  say('starting DynamoDB Local');
  const dynamo = await startDynamoDbLocal();
  try {
    const runs: Run[] = [];
    for (const rollouts of sizes) {
      const tableName = `kanari-bench-scale-${rollouts}-${Date.now()}`;
      await createTable({ endpoint: dynamo.endpoint, tableName });
      const seeding = performance.now();
      await seed(dynamo.endpoint, tableName, rollouts);
      say(`${rollouts} rollouts seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      const run = await withMesh(rollouts, (prometheusUrl) =>
        runChild(
          {
            KANARI_BENCH_DYNAMO: dynamo.endpoint,
            KANARI_BENCH_TABLE: tableName,
            KANARI_BENCH_PROMETHEUS: prometheusUrl,
          },
          rollouts,
        ),
      );
      const judged = (run.outcomes.held ?? 0) + (run.outcomes.decided ?? 0);
      if (judged !== rollouts)
        throw new Error(
          `${rollouts} rollouts due, ${judged} judged: ${JSON.stringify(run.outcomes)}`,
        );
      say(
        `${rollouts} rollouts: ${run.tickSeconds} s, ${run.queries} queries, ${run.dynamoRequests} DynamoDB requests, ${run.peakRssMb} MB`,
      );
      runs.push(run);
    }
    say('');
    say(
      '| rollouts | tick s | list+measure s | shards | slowest shard s | all shards s | PromQL queries | DynamoDB requests | ledger writes | peak RSS MB |',
    );
    say('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of runs)
      say(
        `| ${r.rollouts} | ${r.tickSeconds} | ${r.listAndMeasureSeconds} | ${r.shards} | ${r.slowestShardSeconds} | ${r.allShardsSeconds} | ${r.queries} | ${r.dynamoRequests} | ${r.ledgerWrites} | ${r.peakRssMb} |`,
      );
    console.log(
      JSON.stringify({
        runs: runs.map(({ rollouts, tickSeconds, queries, dynamoRequests, peakRssMb }) => ({
          rollouts,
          tickSeconds,
          queries,
          dynamoRequests,
          peakRssMb,
        })),
      }),
    );
  } finally {
    await dynamo.stop();
  }
};

await (process.argv.includes('--child') ? child() : main());
