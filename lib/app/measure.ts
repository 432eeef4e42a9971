import type { AnalysisState } from '../domain/analysis-state.ts';
import {
  BUILTIN_METRICS,
  type BuiltinMetricName,
  GROUPED_BUILTIN_METRICS,
  GROUPED_SAMPLE_SIZE_QUERY,
  isBuiltinMetric,
} from '../domain/builtin-metrics.ts';
import type { WorkloadRef } from '../domain/count-queries.ts';
import {
  type CheckResult,
  combineVerdicts,
  judgeThreshold,
  type MetricResult,
} from '../domain/judge.ts';
import {
  isBuiltin,
  judgeOf,
  type MetricSpec,
  type RolloutSpec,
  type ThresholdRange,
  workloadOf,
} from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { renderTemplate } from '../domain/template.ts';
import { MetricsQueryError } from '../ports/errors.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';
import { measureCompare } from './measure-compare.ts';
import { measureMannWhitney } from './measure-kayenta.ts';
import { batchOf, CUSTOM_QUERY_ALONE, type QueryBatch } from './query-batch.ts';

type Answer = { value: number | null; error?: string };

/** A provider whose every query fails as `error` did: a metric's provider that cannot be had. */
const failing = (error: unknown): MetricsProvider => {
  const fail = () => Promise.reject(error);
  return { runQuery: fail, queryVector: fail, queryRange: fail, isOnline: async () => false };
};

const settle = async (value: Promise<number | null>): Promise<Answer> => {
  try {
    return { value: await value };
  } catch (error) {
    return { value: null, error: error instanceof Error ? error.message : String(error) };
  }
};

/** One workload's value in a grouped instant query at `at`: its row, or no data. */
const rowValue = async (
  metrics: QueryBatch,
  query: string,
  at: Date,
  target: WorkloadRef,
): Promise<number | null> => (await metrics.vectorOf(query, at, target))[0]?.value ?? null;

/** What a threshold metric measured: canary, primary and, for a built-in, their requests. */
interface Measured {
  query: string;
  measured: Answer;
  primary?: Answer;
  sample?: Answer;
  primarySample?: Answer;
  queriedAlone?: string;
}

/**
 * A built-in from the tick's grouped queries (one row per workload, see GROUPED_BUILTIN_METRICS).
 * `query` is the rollout's own form, which gives the same number on its own.
 */
const measureBuiltin = async (
  metrics: QueryBatch,
  spec: RolloutSpec,
  name: BuiltinMetricName,
  interval: string,
  now: Date,
): Promise<Measured> => {
  const variables = { namespace: spec.target.namespace, target: '', interval };
  const canary = { namespace: spec.target.namespace, workload: workloadOf(spec.target.canary) };
  const primary = { namespace: spec.target.namespace, workload: workloadOf(spec.target.primary) };
  const grouped = renderTemplate(GROUPED_BUILTIN_METRICS[name], variables);
  const samples = renderTemplate(GROUPED_SAMPLE_SIZE_QUERY, variables);
  const [measured, primaryValue, sample, primarySample] = await Promise.all([
    settle(rowValue(metrics, grouped, now, canary)),
    settle(rowValue(metrics, grouped, now, primary)),
    settle(rowValue(metrics, samples, now, canary)),
    settle(rowValue(metrics, samples, now, primary)),
  ]);
  return {
    query: renderTemplate(BUILTIN_METRICS[name], { ...variables, target: canary.workload }),
    measured,
    primary: primaryValue,
    sample,
    primarySample,
  };
};

/**
 * The providers of one rollout's metrics: the rollout's (the deployment's Prometheus, through
 * the tick's batch) and those named in KANARI_METRIC_PROVIDERS, which a custom query may pick
 * (`provider`, or `analysis.provider`). A name that is not configured throws MetricsQueryError.
 */
export type NamedProviders = (name: string) => MetricsProvider;

/** Where one metric's queries go: built-ins to the rollout's provider, custom ones as named. */
export const providerOf = (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  metric: MetricSpec,
  named?: NamedProviders,
): MetricsProvider => {
  const custom = metric.query !== undefined || metric.counts !== undefined;
  const name = custom ? (metric.provider ?? spec.analysis.provider) : undefined;
  if (name === undefined) return metrics;
  if (!named) throw new MetricsQueryError(`no metric provider named "${name}" here`);
  return named(name);
};

/** providerOf, or a provider whose queries fail as it did: the metric's check says why. */
const reachable = (...args: Parameters<typeof providerOf>): MetricsProvider => {
  try {
    return providerOf(...args);
  } catch (error) {
    return failing(error);
  }
};

/** A custom query, for this rollout alone: it may select by anything, not only by workload. */
const measureCustom = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  template: string,
  interval: string,
): Promise<Measured> => {
  const variables = { namespace: spec.target.namespace, interval };
  const query = renderTemplate(template, { ...variables, target: workloadOf(spec.target.canary) });
  // The primary's value is shown beside the canary's; a query that does not name the target
  // would measure the same thing twice, so it is not asked.
  const primaryQuery = renderTemplate(template, {
    ...variables,
    target: workloadOf(spec.target.primary),
  });
  const [measured, primary] = await Promise.all([
    settle(metrics.runQuery(query)),
    primaryQuery !== query ? settle(metrics.runQuery(primaryQuery)) : undefined,
  ]);
  return { query, measured, ...(primary ? { primary } : {}), queriedAlone: CUSTOM_QUERY_ALONE };
};

const measureThreshold = async (
  metrics: QueryBatch,
  spec: RolloutSpec,
  metric: MetricSpec,
  now: Date,
  named?: NamedProviders,
): Promise<MetricResult> => {
  const interval = metric.interval ?? spec.analysis.interval;
  const thresholdRange = metric.thresholdRange as ThresholdRange;
  const { query, measured, primary, sample, primarySample, queriedAlone } =
    isBuiltin(metric) && isBuiltinMetric(metric.name)
      ? await measureBuiltin(metrics, spec, metric.name, interval, now)
      : await measureCustom(
          reachable(metrics, spec, metric, named),
          spec,
          metric.query ?? '',
          interval,
        );
  const minSampleSize = sample ? spec.analysis.minSampleSize : undefined;
  // The primary's request count says, with the canary's, whether there was traffic at all.
  const judged = judgeThreshold({
    value: measured.value,
    thresholdRange,
    ...(sample ? { sampleSize: sample.value, minSampleSize } : {}),
    ...(primarySample && !primarySample.error ? { primarySampleSize: primarySample.value } : {}),
  });
  const failure = measured.error ?? sample?.error;
  return {
    name: metric.name,
    query,
    value: measured.value,
    ...(primary ? { primaryValue: primary.value } : {}),
    thresholdRange,
    ...(sample ? { sampleSize: sample.value, minSampleSize } : {}),
    ...(primarySample ? { primarySampleSize: primarySample.value } : {}),
    ...(queriedAlone ? { queriedAlone } : {}),
    ...(failure ? { sourceDown: failure } : {}),
    verdict: failure ? 'inconclusive' : judged.verdict,
    reason: failure ? `query failed: ${failure}` : judged.reason,
    ...(failure || judged.waitingForTraffic === undefined
      ? {}
      : { waitingForTraffic: judged.waitingForTraffic }),
  };
};

/**
 * Runs every metric of the spec against the canary and judges the check. Threshold metrics
 * only: the compare judge needs the rollout's state (see measureRollout).
 */
export const measureCheck = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  weight: number,
  now: Date,
): Promise<CheckResult> => {
  const batch = batchOf(metrics);
  const results = await Promise.all(
    spec.analysis.metrics
      .filter((metric) => judgeOf(metric) === 'threshold')
      .map((metric) => measureThreshold(batch, spec, metric, now)),
  );
  return { weight, verdict: combineVerdicts(results.map((r) => r.verdict)), metrics: results };
};

/**
 * One scheduled check of a rollout with every judge: threshold metrics on their window,
 * compare metrics on the counts since the last check (their state comes back to be stored
 * with the rollout), mann-whitney metrics on the check window, scored together. Results keep
 * the spec's metric order. Built-ins are read from the tick's grouped queries when `metrics` is
 * the tick's QueryBatch (one request for all rollouts); custom queries go out per rollout.
 */
export const measureRollout = async (
  provider: MetricsProvider,
  rollout: RolloutState,
  now: Date,
  named?: NamedProviders,
): Promise<{ check: CheckResult; analysis?: AnalysisState }> => {
  const { spec } = rollout;
  const metrics = batchOf(provider);
  const judges = spec.analysis.metrics.map(judgeOf);
  const [thresholds, compare, mannWhitney] = await Promise.all([
    Promise.all(
      spec.analysis.metrics.map((metric, i) =>
        judges[i] === 'threshold' ? measureThreshold(metrics, spec, metric, now, named) : undefined,
      ),
    ),
    judges.includes('compare')
      ? measureCompare(metrics, rollout, now, (metric) => reachable(metrics, spec, metric, named))
      : undefined,
    measureMannWhitney((metric) => reachable(metrics, spec, metric, named), spec, now),
  ]);
  const results = spec.analysis.metrics.map(
    (metric, i) =>
      thresholds[i] ??
      compare?.results.get(metric.name) ??
      (mannWhitney.get(metric.name) as MetricResult),
  );
  return {
    check: {
      weight: rollout.canaryWeight,
      verdict: combineVerdicts(results.map((r) => r.verdict)),
      metrics: results,
    },
    ...(compare ? { analysis: compare.analysis } : {}),
  };
};
