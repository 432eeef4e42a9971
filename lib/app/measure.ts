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
import { renderTemplate } from '../domain/template.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';

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

const measureOne = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  metric: MetricSpec,
): Promise<MetricResult> => {
  const variables = {
    namespace: spec.target.namespace,
    target: workloadOf(spec.target.canary),
    interval: metric.interval ?? spec.analysis.interval,
  };
  const judge = judgeOf(metric);
  if (judge !== 'threshold') {
    // The compare and mann-whitney judges are measured by their own use cases; until a
    // build wires them in, such a metric holds the step: inconclusive, never a pass.
    return {
      name: metric.name,
      query: '',
      value: null,
      judge,
      verdict: 'inconclusive',
      reason: `the ${judge} judge is not available in this build`,
    };
  }
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
    verdict: failure ? 'inconclusive' : judged.verdict,
    reason: failure ? `query failed: ${failure}` : judged.reason,
    ...(failure || judged.waitingForTraffic === undefined
      ? {}
      : { waitingForTraffic: judged.waitingForTraffic }),
  };
};

/** Runs every metric of the spec against the canary and judges the check. */
export const measureCheck = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  weight: number,
): Promise<CheckResult> => {
  const results = await Promise.all(
    spec.analysis.metrics.map((metric) => measureOne(metrics, spec, metric)),
  );
  return { weight, verdict: combineVerdicts(results.map((r) => r.verdict)), metrics: results };
};
