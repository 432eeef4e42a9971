import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * A simulated Istio mesh: two workloads behind a weighted split, reporting Istio's standard
 * telemetry as the destination proxy would. It only counts in memory and serves `/metrics`;
 * no request is actually sent anywhere.
 *
 * Series are created up front (counters at 0 for response codes 200 and 500, histograms
 * zeroed) for both workloads, so that:
 * - rate()/increase() see the first requests: a counter that appears already at N hides its
 *   jump from 0 to N;
 * - before any canary traffic, sample-size and error-count queries give 0, not an empty
 *   result, while ratios (success rate, quantiles) are 0/0 = NaN, which kanari reads as no data.
 * Real Istio creates series on first request; kanari reads an empty result as no data too.
 */
export interface WorkloadBehaviour {
  /** Share of requests answered 500, 0..1. */
  errorRate: number;
  latencyMedianMs: number;
  /** Sigma of the lognormal latency; default 0.5. */
  latencySigma?: number;
  /** Multiplies every latency; default 1. */
  latencyFactor?: number;
}

/**
 * A change to the traffic, `afterMs` after `play()` was called: the offered load, and either
 * workload's behaviour. A shared incident changes both workloads at once; night sets the load
 * to 0.
 */
export interface TrafficChange {
  afterMs: number;
  requestsPerSecond?: number;
  primary?: Partial<WorkloadBehaviour>;
  canary?: Partial<WorkloadBehaviour>;
}

export interface MeshSimulatorOptions {
  namespace: string;
  primary: { workload: string; behaviour: WorkloadBehaviour };
  canary: { workload: string; behaviour: WorkloadBehaviour };
  /** Total offered load, split between the workloads by weight. */
  requestsPerSecond: number;
  /** The current split, e.g. read from the VirtualService. Weights are relative shares. */
  readWeights: () => Promise<{ primary: number; canary: number }>;
  /** Default 250. */
  tickMs?: number;
  /** Seeded RNG for tests; default Math.random. */
  random?: () => number;
}

type Which = 'primary' | 'canary';
type Totals = Record<Which, { requests: number; errors: number }>;

export interface MeshSimulator {
  metricsUrl: string;
  port: number;
  setBehaviour(which: Which, behaviour: Partial<WorkloadBehaviour>): void;
  /** The offered load from now on; 0 sends nothing to either workload. */
  setRequestsPerSecond(requestsPerSecond: number): void;
  /** Applies each change when its time comes, on the tick that follows; replaces any earlier plan. */
  play(changes: readonly TrafficChange[]): void;
  totals(): Totals;
  stop(): Promise<void>;
}

/** Istio's default duration buckets (ms). */
const ISTIO_DURATION_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
  1800000, 3600000,
];
const LABEL_NAMES = [
  'reporter',
  'source_workload',
  'destination_workload',
  'destination_workload_namespace',
  'destination_service',
  'response_code',
] as const;
const RESPONSE_CODES = ['200', '500'] as const;
/** After a stall (debugger, suspended laptop), do not replay more than this much traffic. */
const MAX_CATCH_UP_MS = 5_000;
/** Until the first successful read, all traffic goes to the primary, as before a rollout. */
const INITIAL_WEIGHTS = { primary: 100, canary: 0 };

/** Starts the simulator and its `/metrics` server on a free 127.0.0.1 port. */
export async function startMeshSimulator(opts: MeshSimulatorOptions): Promise<MeshSimulator> {
  const random = opts.random ?? Math.random;
  const tickMs = opts.tickMs ?? 250;
  const workloads: Record<Which, string> = {
    primary: opts.primary.workload,
    canary: opts.canary.workload,
  };
  const behaviours: Record<Which, Required<WorkloadBehaviour>> = {
    primary: withDefaults(opts.primary.behaviour),
    canary: withDefaults(opts.canary.behaviour),
  };
  const totals: Totals = {
    primary: { requests: 0, errors: 0 },
    canary: { requests: 0, errors: 0 },
  };

  const registry = new Registry();
  const requests = new Counter({
    name: 'istio_requests_total',
    help: 'Requests served, as reported by the destination proxy.',
    labelNames: LABEL_NAMES,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'istio_request_duration_milliseconds',
    help: 'Request duration in milliseconds, as reported by the destination proxy.',
    labelNames: LABEL_NAMES,
    buckets: ISTIO_DURATION_BUCKETS,
    registers: [registry],
  });
  const labels = (which: Which, code: string) => ({
    reporter: 'destination',
    source_workload: 'loadgen',
    destination_workload: workloads[which],
    destination_workload_namespace: opts.namespace,
    destination_service: `${workloads[which]}.${opts.namespace}.svc.cluster.local`,
    response_code: code,
  });
  for (const which of ['primary', 'canary'] as const) {
    for (const code of RESPONSE_CODES) {
      requests.inc(labels(which, code), 0);
      duration.zero(labels(which, code));
    }
  }
  // Bound once: thousands of observations a second should not hash their labels each time.
  const timers = {
    primary: {
      ok: duration.labels(labels('primary', '200')),
      failed: duration.labels(labels('primary', '500')),
    },
    canary: {
      ok: duration.labels(labels('canary', '200')),
      failed: duration.labels(labels('canary', '500')),
    },
  };

  let weights = INITIAL_WEIGHTS;
  let last = Date.now();
  let carry = 0;
  let requestsPerSecond = checkedRate(opts.requestsPerSecond);
  let plan: { at: number; change: TrafficChange }[] = [];

  const setBehaviour = (which: Which, behaviour: Partial<WorkloadBehaviour>) => {
    const given = Object.entries(behaviour).filter(([, value]) => value !== undefined);
    behaviours[which] = withDefaults({ ...behaviours[which], ...Object.fromEntries(given) });
  };
  /** Changes that are due take effect before this tick's traffic is served. */
  const applyDue = (now: number) => {
    while (plan[0] && plan[0].at <= now) {
      const { change } = plan.shift() as { change: TrafficChange };
      if (change.requestsPerSecond !== undefined)
        requestsPerSecond = checkedRate(change.requestsPerSecond);
      if (change.primary) setBehaviour('primary', change.primary);
      if (change.canary) setBehaviour('canary', change.canary);
    }
  };

  const serve = (which: Which, count: number) => {
    const b = behaviours[which];
    let errors = 0;
    for (let i = 0; i < count; i++) {
      const failed = random() < b.errorRate;
      if (failed) errors++;
      const ms = b.latencyMedianMs * b.latencyFactor * Math.exp(b.latencySigma * normal(random));
      timers[which][failed ? 'failed' : 'ok'].observe(ms);
    }
    if (count - errors > 0) requests.inc(labels(which, '200'), count - errors);
    if (errors > 0) requests.inc(labels(which, '500'), errors);
    totals[which].requests += count;
    totals[which].errors += errors;
  };

  const tick = async () => {
    try {
      const read = await opts.readWeights();
      if (validWeights(read)) weights = read;
    } catch {
      // Keep the last good split, as a proxy keeps its last good config.
    }
    const now = Date.now();
    applyDue(now);
    // A rounded expectation plus carry: a steady rate without Poisson noise in the counts.
    const expected = (requestsPerSecond * Math.min(now - last, MAX_CATCH_UP_MS)) / 1000 + carry;
    last = now;
    const count = Math.floor(expected);
    carry = expected - count;
    const sum = weights.primary + weights.canary;
    // No weight anywhere: Istio would answer 503 from the sidecar; no destination sees a request.
    if (sum <= 0) return;
    let canary = 0;
    for (let i = 0; i < count; i++) if (random() < weights.canary / sum) canary++;
    serve('primary', count - canary);
    serve('canary', canary);
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = tick()
      .catch((error: unknown) => console.error('mesh simulator tick failed', error))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, tickMs);
      });
  };

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  timer = setTimeout(loop, tickMs);

  return {
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    port,
    setBehaviour,
    setRequestsPerSecond: (rate) => {
      requestsPerSecond = checkedRate(rate);
    },
    play: (changes) => {
      const start = Date.now();
      plan = [...changes]
        .sort((a, b) => a.afterMs - b.afterMs)
        .map((change) => ({ at: start + change.afterMs, change }));
      // A change due now shows in the very next scrape, not a tick later.
      applyDue(start);
    },
    totals: () => ({ primary: { ...totals.primary }, canary: { ...totals.canary } }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await running;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const withDefaults = (b: WorkloadBehaviour): Required<WorkloadBehaviour> => ({
  errorRate: b.errorRate,
  latencyMedianMs: b.latencyMedianMs,
  latencySigma: b.latencySigma ?? 0.5,
  latencyFactor: b.latencyFactor ?? 1,
});

const checkedRate = (rate: number): number => {
  if (!(Number.isFinite(rate) && rate >= 0))
    throw new RangeError(`requestsPerSecond must be a finite number ≥ 0, got ${rate}`);
  return rate;
};

const validWeights = (w: { primary: number; canary: number }): boolean =>
  Number.isFinite(w.primary) && Number.isFinite(w.canary) && w.primary >= 0 && w.canary >= 0;

/** A standard normal draw (Box–Muller); 1 - u keeps log() away from 0. */
const normal = (random: () => number): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
