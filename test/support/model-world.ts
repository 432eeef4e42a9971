import { AwsServiceError } from '../../lib/adapters/aws-json.ts';
import { type AnalyzeDeps, analyzeDue } from '../../lib/app/analyze-due.ts';
import { type ApplyDeps, applyDecision } from '../../lib/app/apply-decision.ts';
import { intakeAlerts } from '../../lib/app/intake-alert.ts';
import { type OperatorAction, operatorAction } from '../../lib/app/operator-action.ts';
import { startRollout } from '../../lib/app/start-rollout.ts';
import type { EventDetail } from '../../lib/domain/events.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { TrafficConflictError } from '../../lib/ports/errors.ts';
import type { RolloutStore } from '../../lib/ports/rollout-store.ts';
import type { TrafficRouter, VirtualServiceRef } from '../../lib/ports/traffic-router.ts';
import type { FaultSpec } from '../../sandbox/kube-emulator/index.ts';
import { commitEach } from '../fakes/commit-each.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeMetricsProvider } from '../fakes/fake-metrics-provider.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { seedSpec, seedVirtualService } from './fixtures.ts';

// The world one model-based schedule runs in: the real use cases over a store and a cluster
// (in memory, or DynamoDB Local and the Kubernetes API emulator), a bus whose traffic requests
// the schedule delivers, reorders, duplicates or drops, faults, and a clock it moves.

/** A fault of the Kubernetes API: `late` answers after the client gave up, having applied it. */
export type KubeFault = '409' | '500' | 'timeout' | 'late';
export type Metrics = 'healthy' | 'failing' | 'nodata';

/** The cluster the rollouts' VirtualServices live in, seen by shift-traffic and by the checks. */
export interface Cluster {
  /** What shift-traffic uses: faults apply. */
  router: TrafficRouter;
  seed(vs: VirtualService): void;
  /** The stored object, read around any fault. */
  read(ref: VirtualServiceRef): VirtualService;
  inject(fault: KubeFault, count: number, method: 'GET' | 'PATCH' | undefined): void;
  clearFaults(): void;
}

export const CLUSTER = 'sandbox';
export const RESEND_AFTER_MS = 30_000;
/** The Kubernetes client's bound on one request, and how late a `late` fault answers. */
export const KUBE_TIMEOUT_MS = 150;
export const KUBE_LATE_MS = 300;

const PLANS = [[10, 20, 30, 40, 50], [25, 50], [50]];

const timeoutError = (what: string) =>
  new Error(`${what}: the Kubernetes API did not answer in time`);

/**
 * The fake router behind the emulator's fault semantics: a 409 is a lost guarded patch, a 500
 * and a timeout fail the call, and a late answer applies the patch but the caller never hears.
 */
export const fakeCluster = (): Cluster => {
  const fake = new FakeTrafficRouter();
  let faults: FaultSpec[] = [];
  const take = (method: string): FaultSpec | undefined => {
    const index = faults.findIndex((f) => f.methods === undefined || f.methods.includes(method));
    const fault = faults[index];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count === 0) faults.splice(index, 1);
    return fault;
  };
  const failed = (fault: FaultSpec, what: string): Error => {
    if (fault.status === 409) return new TrafficConflictError(`${what}: HTTP 409`);
    if (fault.status === 500) return new Error(`${what}: HTTP 500`);
    return timeoutError(what);
  };
  return {
    router: {
      async getVirtualService(ref) {
        const fault = take('GET');
        if (fault) throw failed(fault, 'get');
        return fake.getVirtualService(ref);
      },
      async patchVirtualService(ref, expected, ops) {
        const fault = take('PATCH');
        if (fault?.delayMs !== undefined) {
          await fake.patchVirtualService(ref, expected, ops);
          throw timeoutError('patch');
        }
        if (fault) throw failed(fault, 'patch');
        return fake.patchVirtualService(ref, expected, ops);
      },
    },
    seed: (vs) => fake.put(CLUSTER, vs),
    read: (ref) => fake.read(ref) ?? fail(`no VirtualService ${ref.namespace}/${ref.name}`),
    inject: (fault, count, method) => faults.push(faultSpec(fault, count, method)),
    clearFaults: () => {
      faults = [];
    },
  };
};

export const faultSpec = (
  fault: KubeFault,
  count: number,
  method: 'GET' | 'PATCH' | undefined,
): FaultSpec => ({
  count,
  ...(method ? { methods: [method] } : {}),
  ...(fault === '409' ? { status: 409 } : fault === '500' ? { status: 500 } : {}),
  ...(fault === 'timeout' ? { timeout: true } : {}),
  ...(fault === 'late' ? { delayMs: KUBE_LATE_MS } : {}),
});

const fail = (message: string): never => {
  throw new Error(message);
};

/** What DynamoDB throws when a table's throughput is exceeded (and the client's retries gave up). */
export const throttled = (): Error =>
  new AwsServiceError(400, {
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  });

/** A traffic request on the bus, not yet delivered; `attempts` failed invocations so far. */
export interface Request {
  detail: EventDetail;
  attempts: number;
}

/** One-shot hooks inside shift-traffic: before its claim's write, before its PATCH. */
export interface Hooks {
  beforeClaim?: () => Promise<void>;
  beforePatch?: () => Promise<void>;
}

export interface Rollout {
  ns: string;
  id: string;
  spec: RolloutSpec;
  ref: VirtualServiceRef;
  metrics: Metrics;
}

export interface Stats {
  schedules: number;
  commands: number;
  faults: number;
  failedInvocations: number;
}

/** Lambda retries a failed async invocation twice; after that the event is gone. */
const MAX_ATTEMPTS = 3;

export class World {
  clock = Date.parse('2026-01-01T00:00:00Z');
  ids = 0;
  readonly bus = new FakeEventBus();
  readonly outstanding: Request[] = [];
  readonly hooks: Hooks = {};
  readonly rollouts: Rollout[];
  /** Calls of the store to let through before one is throttled; undefined: none. */
  throttleIn: number | undefined;
  readonly store: RolloutStore;
  readonly apply: ApplyDeps;
  readonly analyze: AnalyzeDeps;
  readonly core: AnalyzeDeps;

  constructor(
    readonly base: RolloutStore,
    readonly cluster: Cluster,
    readonly prefix: string,
    count: number,
    readonly stats: Stats,
    /** After a call the Kubernetes client gave up on: wait until the server has answered it. */
    readonly settle: (error: unknown) => Promise<void> = async () => {},
  ) {
    this.rollouts = Array.from({ length: count }, (_, i) => {
      const ns = `${prefix}-${'abc'[i]}`;
      const spec = modelSpec(ns, PLANS[i] as number[]);
      return {
        ns,
        id: `${CLUSTER}/${ns}/${spec.name}`,
        spec,
        ref: { cluster: CLUSTER, namespace: ns, name: spec.target.virtualService },
        metrics: 'healthy' as Metrics,
      };
    });
    this.store = this.throttling(base);
    const metrics = new Map(
      this.rollouts.map((r) => [
        r.ns,
        FakeMetricsProvider.perWorkload(
          (q) => answer(r.metrics, q),
          ['my-service', 'my-service-v2'].map((workload) => ({ namespace: r.ns, workload })),
        ),
      ]),
    );
    this.core = {
      store: this.store,
      bus: this.bus,
      now: () => new Date(this.clock),
      newId: () => `${prefix}-d${++this.ids}`,
      metricsFor: (spec) => metrics.get(spec.target.namespace) ?? fail('unknown namespace'),
      resendAfterMs: RESEND_AFTER_MS,
    };
    this.analyze = this.core;
    this.apply = { ...this.core, router: this.hooked(cluster.router) };
  }

  /** Seeds the VirtualServices and starts every rollout (its first step is requested). */
  async start(): Promise<void> {
    for (const rollout of this.rollouts) {
      this.cluster.seed(seedVirtualService(rollout.ns));
      await startRollout(this.core, rollout.spec, { type: 'scheduler' });
    }
    this.collect();
  }

  /** Moves the traffic requests published since the last look into the outstanding queue. */
  collect(): void {
    for (const event of this.bus.drain())
      if (TRAFFIC_REQUESTS.includes(event.detailType))
        this.outstanding.push({ detail: event.detail, attempts: 0 });
  }

  /** Runs shift-traffic on a request; a throw is a failed invocation that Lambda retries. */
  async deliver(request: Request): Promise<void> {
    try {
      await applyDecision(this.apply, request.detail);
    } catch (error) {
      this.stats.failedInvocations++;
      await this.settle(error);
      if (request.attempts + 1 < MAX_ATTEMPTS)
        this.outstanding.push({ detail: request.detail, attempts: request.attempts + 1 });
    }
  }

  async tick(ms: number): Promise<void> {
    this.clock += ms;
    try {
      await analyzeDue(this.analyze);
    } catch {
      this.stats.failedInvocations++;
    }
  }

  async operator(rollout: Rollout, action: OperatorAction | 'promote-full'): Promise<void> {
    const full = action === 'promote-full';
    try {
      await operatorAction(this.core, rollout.id, full ? 'promote' : action, {
        actor: 'model',
        reason: 'model-based test',
        full,
      });
    } catch {
      // Not allowed in this phase, a lost race or a throttled call: the API says so (4xx/5xx).
    }
  }

  async alert(rollout: Rollout, action: 'rollback' | 'pause', stale: boolean): Promise<void> {
    const startsAt = new Date(stale ? Date.parse('2025-12-31T23:00:00Z') : this.clock);
    const alertname = action === 'rollback' ? 'CanaryErrors' : 'CanarySlow';
    try {
      await intakeAlerts(this.core, [
        {
          source: 'alertmanager',
          id: `fp-${rollout.ns}-${alertname}`,
          name: alertname,
          status: 'firing',
          labels: { alertname, namespace: rollout.ns },
          startsAt: startsAt.toISOString(),
        },
      ]);
    } catch {
      // A failed webhook call: Alertmanager sends the alert again later.
    }
  }

  /** Clears every fault and delivers every request, ticking past the resend until none is pending. */
  async drain(): Promise<void> {
    this.cluster.clearFaults();
    this.throttleIn = undefined;
    this.hooks.beforeClaim = undefined;
    this.hooks.beforePatch = undefined;
    for (let round = 0; round < 10; round++) {
      await this.deliverAll();
      if (!(await this.anyPending())) return;
      await this.tick(RESEND_AFTER_MS + 1_000);
    }
    await this.deliverAll();
  }

  private async deliverAll(): Promise<void> {
    this.collect();
    for (let next = this.outstanding.shift(); next; next = this.outstanding.shift()) {
      await this.deliver(next);
      this.collect();
    }
  }

  /** A decision pending on any rollout (the scheduler re-sends it, whatever the phase). */
  private async anyPending(): Promise<boolean> {
    const states = await Promise.all(this.rollouts.map((r) => this.base.get(r.id)));
    return states.some((state) => state?.pending !== undefined);
  }

  private throttling(store: RolloutStore): RolloutStore {
    const gate = async <T>(call: () => Promise<T>): Promise<T> => {
      if (this.throttleIn === 0) {
        this.throttleIn = undefined;
        throw throttled();
      }
      if (this.throttleIn !== undefined) this.throttleIn--;
      return call();
    };
    const commit: RolloutStore['commit'] = (state, entries) =>
      gate(async () => {
        const hook = entries.length === 0 ? this.hooks.beforeClaim : undefined;
        if (hook) {
          this.hooks.beforeClaim = undefined;
          await hook();
        }
        return store.commit(state, entries);
      });
    return {
      get: (id) => gate(() => store.get(id)),
      getMany: (ids) => gate(() => store.getMany(ids)),
      owner: (target) => gate(() => store.owner(target)),
      create: (state, entries) => gate(() => store.create(state, entries)),
      commit,
      // Each commit through the gate: a fault hits one rollout's write, not the whole batch.
      commitAll: commitEach(commit),
      append: (entries) => gate(() => store.append(entries)),
      listDue: (now, limit) => gate(() => store.listDue(now, limit)),
      listInFlight: (limit) => gate(() => store.listInFlight(limit)),
      list: (filter) => gate(() => store.list(filter)),
      ledger: (id, page) => gate(() => store.ledger(id, page)),
    };
  }

  private hooked(router: TrafficRouter): TrafficRouter {
    return {
      getVirtualService: (ref) => router.getVirtualService(ref),
      patchVirtualService: async (ref, expected, ops) => {
        const hook = this.hooks.beforePatch;
        this.hooks.beforePatch = undefined;
        await hook?.();
        return router.patchVirtualService(ref, expected, ops);
      },
    };
  }
}

/** The seed spec on the rollout's own namespace, a plan of its own, and alert matchers. */
const modelSpec = (ns: string, stepWeights: number[]): RolloutSpec => {
  const spec = seedSpec({ stepWeights });
  return {
    ...spec,
    target: { ...spec.target, namespace: ns },
    alerts: {
      bakeWindow: '0s',
      matchers: [
        { labels: { alertname: 'CanaryErrors', namespace: ns }, action: 'rollback' },
        { labels: { alertname: 'CanarySlow', namespace: ns }, action: 'pause' },
      ],
    },
  };
};

/** Prometheus as the rollout's metrics mode says: latency, request counts, success rate. */
const answer = (mode: Metrics, query: string): number | null => {
  if (mode === 'nodata') return null;
  if (query.startsWith('histogram')) return mode === 'healthy' ? 200 : 900;
  if (query.startsWith('sum(increase')) return 1000;
  return mode === 'healthy' ? 100 : 50;
};
