/** A rollout spec as kanari uses it after validation (see lib/schemas/rollout-spec.ts). */

/** One side of the traffic split: a host (host-level) or a host plus subset (subset-level). */
export interface DestinationRef {
  host: string;
  subset?: string;
  /** The workload whose metrics stand for this destination; defaults to the host's short name. */
  workload?: string;
}

export interface RolloutTarget {
  cluster: string;
  namespace: string;
  virtualService: string;
  /** The managed http route, by name or index. Default: the first route holding both destinations. */
  route?: string | number;
  primary: DestinationRef;
  canary: DestinationRef;
}

export interface ThresholdRange {
  min?: number;
  max?: number;
}

export interface MetricSpec {
  name: string;
  /** PromQL with `{{ namespace }}`, `{{ target }}` and `{{ interval }}`; omitted for built-ins. */
  query?: string;
  thresholdRange: ThresholdRange;
  /** Query window; defaults to the analysis interval. */
  interval?: string;
}

export interface AnalysisSpec {
  interval: string;
  threshold: number;
  stepWeights?: number[];
  stepWeight?: number;
  maxWeight?: number;
  progressDeadline: string;
  /** Fewer canary requests than this in a window make a built-in check inconclusive. */
  minSampleSize: number;
  metrics: MetricSpec[];
}

/** What a matching firing alert does to the rollout. */
export type AlertAction = 'rollback' | 'pause';

/**
 * One alert matcher. Every condition given must hold (AND); a matcher has at least one.
 * Labels compare like Alertmanager matchers: `labels` by equality, `labelsRegex` by a regex
 * anchored at both ends (`=~`). `alarmNames` and `alarmTags` match CloudWatch alarms only.
 */
export interface AlertMatcher {
  labels?: Record<string, string>;
  labelsRegex?: Record<string, string>;
  alarmNames?: string[];
  alarmTags?: Record<string, string>;
  action: AlertAction;
}

export interface AlertsSpec {
  /** How long after Succeeded a matching alert still rolls back, e.g. `10m`; `0s` for never. */
  bakeWindow: string;
  matchers: AlertMatcher[];
}

export interface RolloutSpec {
  name: string;
  target: RolloutTarget;
  analysis: AnalysisSpec;
  /** Alerts that roll the canary back (or pause it) without waiting for the next check. */
  alerts?: AlertsSpec;
}

/** `cluster/namespace/name`: how a rollout is addressed everywhere. */
export const rolloutIdOf = (spec: RolloutSpec): string =>
  `${spec.target.cluster}/${spec.target.namespace}/${spec.name}`;

/** The workload name that metrics use for a destination. */
export const workloadOf = (destination: DestinationRef): string =>
  destination.workload ?? (destination.host.split('.')[0] as string);
