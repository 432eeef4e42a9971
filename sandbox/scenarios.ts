import { SANDBOX_ALERT_MATCHERS } from './alerting.ts';
import type { TrafficChange, WorkloadBehaviour } from './mesh-simulator.ts';

export const SCENARIOS = [
  'healthy',
  'errors',
  'latency',
  'shared-incident',
  'no-traffic',
  'alert',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Scenario {
  description: string;
  primary: WorkloadBehaviour;
  canary: WorkloadBehaviour;
  /** What a correct kanari does with it; `held`: still Progressing at the first step. */
  expected: 'Succeeded' | 'RolledBack' | 'held';
  /** The analysis interval unless one is given. */
  interval?: string;
  /** Runs Alertmanager too; the rollout's matchers roll it back on the sandbox's alert. */
  alerts?: boolean;
  /** Changes to the traffic, timed from just before the rollout is created. */
  timeline?: TrafficChange[];
  /** Waits this long after the timeline begins before creating the rollout. */
  startAfterMs?: number;
  /**
   * A rollout that never ends by itself: the run stops after this many analysis intervals (at
   * least this many 10-second buckets), plus a margin, and reports what it held at.
   */
  holdIntervals?: number;
}

/**
 * Both workloads, unless a scenario says otherwise. The compare judge counts bad events, so
 * there must be some on both sides for it to bound the canary's rate against the primary's:
 * - 1% 5xx: at 1000 requests a second, about 10 errors a second between the two;
 * - latency: median 100 ms, σ 0.373, so 99.3% of requests take at most 250 ms (an Istio
 *   bucket bound). The primary's p99 thus falls in the 250 ms bucket, and about 0.7% of
 *   requests are "slower than the primary's p99 bucket", the default latency bound. With
 *   σ 0.5 the p99 (320 ms) would round up to the 500 ms bound, above which only 0.06% of
 *   requests fall: too few to promote in minutes.
 * The sandbox's alert rule fires above 2% canary 5xx, so 1% stays quiet.
 */
const baseline: WorkloadBehaviour = { errorRate: 0.01, latencyMedianMs: 100, latencySigma: 0.373 };
const incident = { errorRate: 0.05 };
/** How long the shared incident lasts, from the rollout's start. */
const INCIDENT_MS = 45_000;

export const SCENARIO_DEFINITIONS: Record<ScenarioName, Scenario> = {
  healthy: {
    description: 'the canary behaves like the primary',
    primary: baseline,
    canary: baseline,
    expected: 'Succeeded',
  },
  errors: {
    description: 'the canary answers 5% of requests with 5xx',
    primary: baseline,
    canary: { ...baseline, errorRate: 0.05 },
    expected: 'RolledBack',
  },
  latency: {
    description: "the canary's p99 latency is twice the primary's",
    primary: baseline,
    canary: { ...baseline, latencyFactor: 2 },
    expected: 'RolledBack',
  },
  'shared-incident': {
    description: `primary and canary both answer 5% with 5xx for ${INCIDENT_MS / 1000} s: not the canary's fault`,
    primary: baseline,
    canary: baseline,
    expected: 'Succeeded',
    timeline: [
      { afterMs: 0, primary: incident, canary: incident },
      { afterMs: INCIDENT_MS, primary: baseline, canary: baseline },
    ],
  },
  'no-traffic': {
    description: 'no request reaches either workload once the rollout starts: waiting for traffic',
    primary: baseline,
    canary: baseline,
    expected: 'held',
    // Preflight needs the primary's series with traffic in the last interval; the load stops
    // just before the rollout starts, so that no request lands in its first bucket.
    timeline: [{ afterMs: 0, requestsPerSecond: 0 }],
    startAfterMs: 2_500,
    holdIntervals: 3,
  },
  alert: {
    description:
      'the canary answers 5% with 5xx; an Alertmanager alert rolls it back before any check',
    primary: baseline,
    canary: { ...baseline, errorRate: 0.05 },
    expected: 'RolledBack',
    // So long that only the alert can be what rolls the canary back.
    interval: '10m',
    alerts: true,
  },
};

/** The rollout spec the sandbox runs: the seed's my-service → my-service-v2. */
/**
 * The rollout spec the sandbox runs. `thresholds` pins the built-ins to the threshold judge
 * (success rate ≥ min %, p99 ≤ max ms), for runs that are about something other than the judge.
 */
export const sandboxSpec = (
  interval: string,
  options: { alerts?: boolean; thresholds?: { min: number; max: number } } = {},
) => ({
  name: 'my-service',
  target: {
    cluster: 'sandbox',
    namespace: 'default',
    virtualService: 'my-service',
    primary: { host: 'my-service' },
    canary: { host: 'my-service-v2' },
  },
  analysis: {
    interval,
    threshold: 2,
    stepWeights: [10, 20, 30, 40, 50],
    progressDeadline: '2m',
    minSampleSize: 20,
    // No thresholdRange: the built-ins take the compare judge, canary against primary.
    metrics: options.thresholds
      ? [
          { name: 'request-success-rate', thresholdRange: { min: options.thresholds.min } },
          { name: 'request-duration', thresholdRange: { max: options.thresholds.max } },
        ]
      : [{ name: 'request-success-rate' }, { name: 'request-duration' }],
  },
  ...(options.alerts ? { alerts: { matchers: SANDBOX_ALERT_MATCHERS } } : {}),
});
