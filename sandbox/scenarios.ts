import { SANDBOX_ALERT_MATCHERS } from './alerting.ts';
import type { WorkloadBehaviour } from './mesh-simulator.ts';

export const SCENARIOS = ['healthy', 'errors', 'latency', 'alert'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Scenario {
  description: string;
  primary: WorkloadBehaviour;
  canary: WorkloadBehaviour;
  /** What a correct kanari does with it. */
  expected: 'Succeeded' | 'RolledBack';
  /** The analysis interval unless one is given. */
  interval?: string;
  /** Runs Alertmanager too; the rollout's matchers roll it back on the sandbox's alert. */
  alerts?: boolean;
}

// Median 100 ms with σ 0.5 gives a p99 of about 320 ms, under the 500 ms threshold;
// twice as slow gives about 640 ms, over it.
const baseline: WorkloadBehaviour = { errorRate: 0.001, latencyMedianMs: 100, latencySigma: 0.5 };

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
  alert: {
    description:
      'the canary answers 5% with 5xx; an Alertmanager alert rolls it back, long before the first check',
    primary: baseline,
    canary: { ...baseline, errorRate: 0.05 },
    expected: 'RolledBack',
    // So long that only the alert can be what rolls the canary back.
    interval: '10m',
    alerts: true,
  },
};

/** The rollout spec the sandbox runs: the seed's my-service → my-service-v2. */
export const sandboxSpec = (interval: string, options: { alerts?: boolean } = {}) => ({
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
    metrics: [
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ],
  },
  ...(options.alerts ? { alerts: { matchers: SANDBOX_ALERT_MATCHERS } } : {}),
});
