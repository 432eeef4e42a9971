import { isBuiltinMetric } from './builtin-metrics.ts';
import type { DriftAction } from './drift.ts';

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

/**
 * A latency bound for `request-duration` with the compare judge: requests slower than it are
 * the bad events. `percentile`: the primary's own bucket at that percentile, read from the
 * window before the step began; `ms`: a fixed bound (the histogram bucket at or above it).
 */
export type LatencyBound = { percentile: number } | { ms: number };

/** `request-duration` compared without bounds: the primary's p99 bucket. */
export const DEFAULT_LATENCY_BOUNDS: readonly LatencyBound[] = [{ percentile: 99 }];

/** Which way a Mann–Whitney metric may not move (Kayenta's direction). */
export type MannWhitneyDirection = 'increase' | 'decrease' | 'either';

/** Kayenta's effect size: how far the canary may move before a significant shift counts. */
export interface EffectSizeSpec {
  measure: 'meanRatio' | 'cles';
  allowedIncrease?: number;
  allowedDecrease?: number;
  criticalIncrease?: number;
  criticalDecrease?: number;
}

/**
 * How a metric is judged. Options left out take the judge's defaults:
 * - `threshold`: the canary alone against `thresholdRange` (Flagger's rule);
 * - `compare`: canary against primary on counts (bad events over requests): the built-ins', or
 *   a metric's own `counts`;
 * - `mann-whitney`: Kayenta's NetflixACAJudge on the series a query returns.
 */
export type JudgeSpec =
  | { type: 'threshold' }
  | { type: 'compare'; alpha?: number; tolerance?: number; k?: number; bounds?: LatencyBound[] }
  | {
      type: 'mann-whitney';
      direction?: MannWhitneyDirection;
      confidence?: number;
      tolerance?: number;
      effectSize?: EffectSizeSpec;
      critical?: boolean;
      mustHaveData?: boolean;
      nanStrategy?: 'remove' | 'replace';
      outliers?: 'keep' | 'remove';
      group?: string;
      weight?: number;
    };

export type JudgeType = JudgeSpec['type'];

export const JUDGE_TYPES = [
  'threshold',
  'compare',
  'mann-whitney',
] as const satisfies readonly JudgeType[];

/**
 * A compare metric's own counts: a query for all the requests and one for the bad ones, each
 * asked for the canary and for the primary (`{{ target }}`). On Prometheus they are cumulative
 * counters, as Istio's are; on CloudWatch, sums per period (`Stat: Sum`).
 */
export interface MetricCounts {
  requests: string;
  bad: string;
}

export interface MetricSpec {
  name: string;
  /** PromQL with `{{ namespace }}`, `{{ target }}` and `{{ interval }}`; omitted for built-ins. */
  query?: string;
  /** The compare judge's counts for a metric that is not a built-in; never with `query`. */
  counts?: MetricCounts;
  /** The threshold judge's bounds; required by it, refused by the other judges. */
  thresholdRange?: ThresholdRange;
  /** Query window; defaults to the analysis interval. */
  interval?: string;
  /** Absent: `threshold` when thresholdRange is given, else `compare` for a built-in. */
  judge?: JudgeSpec;
  /**
   * A custom query's (or counts') metric provider, by its name in KANARI_METRIC_PROVIDERS (e.g.
   * a CloudWatch one); absent: `analysis.provider`, else the deployment's Prometheus. Built-ins
   * always read the deployment's Prometheus.
   */
  provider?: string;
}

/** A built-in metric (Istio's, from the deployment's Prometheus): no query and no counts of its own. */
export const isBuiltin = (metric: MetricSpec): boolean =>
  metric.query === undefined && metric.counts === undefined && isBuiltinMetric(metric.name);

/** What a step still inconclusive at its progress deadline does. */
export type OnDeadline = 'pause' | 'rollback';

/** Mann–Whitney group scores (0–100) at or above `pass` pass, at or above `marginal` hold. */
export interface ScoreThresholds {
  pass: number;
  marginal: number;
}

export interface AnalysisSpec {
  /** The provider of the custom queries that name none (see MetricSpec.provider). */
  provider?: string;
  interval: string;
  threshold: number;
  stepWeights?: number[];
  stepWeight?: number;
  maxWeight?: number;
  progressDeadline: string;
  /** Fewer canary requests than this in a window make a built-in check inconclusive. */
  minSampleSize: number;
  metrics: MetricSpec[];
  /**
   * The rollout's false-rollback rate for the compare judge, split across its tests; absent
   * means DEFAULT_ALPHA. Absent rather than filled in, so that a spec stored before the field
   * existed equals the same spec applied again (see lib/domain/spec-diff.ts).
   */
  alpha?: number;
  /** Absent means DEFAULT_ON_DEADLINE (`pause`); see `onDeadlineOf`. */
  onDeadline?: OnDeadline;
  /** Absent means DEFAULT_SCORE_THRESHOLDS. */
  scoreThresholds?: ScoreThresholds;
}

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_ON_DEADLINE: OnDeadline = 'pause';
export const DEFAULT_SCORE_THRESHOLDS: Readonly<ScoreThresholds> = { pass: 95, marginal: 75 };

/** The rollout's α for the compare judge. */
export const alphaOf = (analysis: AnalysisSpec): number => analysis.alpha ?? DEFAULT_ALPHA;

/** What a step inconclusive at its deadline does: a person decides unless the spec says rollback. */
export const onDeadlineOf = (analysis: AnalysisSpec): OnDeadline =>
  analysis.onDeadline ?? DEFAULT_ON_DEADLINE;

/** Thrown by judgeOf for a metric that validation would have refused: nothing can judge it. */
export class MetricWithoutJudgeError extends Error {
  override name = 'MetricWithoutJudgeError';
}

/**
 * The judge of a metric: an explicit `judge` wins; else a metric with `thresholdRange` is
 * judged by threshold, so every spec written before judges existed keeps its behaviour; else
 * a built-in, or a metric with its own counts, is compared with the primary. A custom query with
 * neither is invalid (the schema refuses it), and throws MetricWithoutJudgeError here.
 */
export const judgeOf = (metric: MetricSpec): JudgeType => {
  if (metric.judge) return metric.judge.type;
  if (metric.thresholdRange) return 'threshold';
  if (metric.counts || isBuiltin(metric)) return 'compare';
  throw new MetricWithoutJudgeError(
    `metric ${metric.name} has a custom query and neither judge nor thresholdRange`,
  );
};

/** The metric's judge with its options as written (`{ type }` alone when implied). */
export const judgeSpecOf = (metric: MetricSpec): JudgeSpec =>
  metric.judge ?? ({ type: judgeOf(metric) } as JudgeSpec);

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
  /**
   * What kanari does when the VirtualService's weights are not the ones it last applied:
   * `pause` (the default) or `reapply` its own weights. Either way the ledger records it.
   */
  onDrift?: DriftAction;
}

/** `cluster/namespace/name`: how a rollout is addressed everywhere. */
export const rolloutIdOf = (spec: RolloutSpec): string =>
  `${spec.target.cluster}/${spec.target.namespace}/${spec.name}`;

/** The workload name that metrics use for a destination. */
export const workloadOf = (destination: DestinationRef): string =>
  destination.workload ?? (destination.host.split('.')[0] as string);
