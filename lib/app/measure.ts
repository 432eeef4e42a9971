import type { AnalysisState } from '../domain/analysis-state.ts';
import { BUILTIN_METRICS, isBuiltinMetric, SAMPLE_SIZE_QUERY } from '../domain/builtin-metrics.ts';
import {
  type CheckResult,
  combineVerdicts,
  judgeThreshold,
  type MetricResult,
} from '../domain/judge.ts';
import {
  judgeOf,
  type MetricSpec,
  type RolloutSpec,
  type ThresholdRange,
  workloadOf,
} from '../domain/rollout-spec.ts';
import type { RolloutState } from '../domain/state.ts';
import { renderTemplate } from '../domain/template.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';
import { measureCompare } from './measure-compare.ts';
import { measureMannWhitney } from './measure-kayenta.ts';

const ask = async (
  metrics: MetricsProvider,
  query: string,
): Promise<{ value: number | null; error?: string }> => {
  try {
    return { value: await metrics.runQuery(query) };
  } catch (error) {
    return { value: null, error: error instanceof Error ? error.message : String(error) };
  }
};

const measureThreshold = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  metric: MetricSpec,
): Promise<MetricResult> => {
  const variables = {
    namespace: spec.target.namespace,
    target: workloadOf(spec.target.canary),
    interval: metric.interval ?? spec.analysis.interval,
  };
  const thresholdRange = metric.thresholdRange as ThresholdRange;
  const builtin = metric.query === undefined && isBuiltinMetric(metric.name);
  const template =
    metric.query ?? (isBuiltinMetric(metric.name) ? BUILTIN_METRICS[metric.name] : '');
  const query = renderTemplate(template, variables);
  // The primary's value is shown beside the canary's; a query that does not name the target
  // would measure the same thing twice, so it is not asked.
  const primaryQuery = renderTemplate(template, {
    ...variables,
    target: workloadOf(spec.target.primary),
  });
  // The primary's request count says, with the canary's, whether there was traffic at all.
  const [measured, sample, primarySample, primary] = await Promise.all([
    ask(metrics, query),
    builtin ? ask(metrics, renderTemplate(SAMPLE_SIZE_QUERY, variables)) : undefined,
    builtin
      ? ask(
          metrics,
          renderTemplate(SAMPLE_SIZE_QUERY, {
            ...variables,
            target: workloadOf(spec.target.primary),
          }),
        )
      : undefined,
    primaryQuery !== query ? ask(metrics, primaryQuery) : undefined,
  ]);
  const minSampleSize = builtin ? spec.analysis.minSampleSize : undefined;
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
): Promise<CheckResult> => {
  const results = await Promise.all(
    spec.analysis.metrics
      .filter((metric) => judgeOf(metric) === 'threshold')
      .map((metric) => measureThreshold(metrics, spec, metric)),
  );
  return { weight, verdict: combineVerdicts(results.map((r) => r.verdict)), metrics: results };
};

/**
 * One scheduled check of a rollout with every judge: threshold metrics on their window,
 * compare metrics on the counts since the last check (their state comes back to be stored
 * with the rollout), mann-whitney metrics on the check window, scored together. Results keep
 * the spec's metric order.
 */
export const measureRollout = async (
  metrics: MetricsProvider,
  rollout: RolloutState,
  now: Date,
): Promise<{ check: CheckResult; analysis?: AnalysisState }> => {
  const { spec } = rollout;
  const judges = spec.analysis.metrics.map(judgeOf);
  const [thresholds, compare, mannWhitney] = await Promise.all([
    Promise.all(
      spec.analysis.metrics.map((metric, i) =>
        judges[i] === 'threshold' ? measureThreshold(metrics, spec, metric) : undefined,
      ),
    ),
    judges.includes('compare') ? measureCompare(metrics, rollout, now) : undefined,
    measureMannWhitney(metrics, spec, now),
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
