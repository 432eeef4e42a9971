import { durationMs } from '../domain/duration.ts';
import type { MetricResult } from '../domain/judge.ts';
import { classifyMetric, type KayentaMetricResult, scoreMetrics } from '../domain/judge-kayenta.ts';
import { kayentaConfigOf, mannWhitneyResult, scoreVerdict } from '../domain/judge-mann-whitney.ts';
import {
  DEFAULT_SCORE_THRESHOLDS,
  judgeOf,
  judgeSpecOf,
  type MetricSpec,
  type RolloutSpec,
  workloadOf,
} from '../domain/rollout-spec.ts';
import { renderTemplate } from '../domain/template.ts';
import type { MetricsProvider, Series } from '../ports/metrics-provider.ts';
import { CUSTOM_QUERY_ALONE } from './query-batch.ts';

/** Points of a range query, one per 10 seconds (as the count buckets). */
const STEP_SECONDS = 10;

/** Every point of every series; no data (null) becomes NaN, for the metric's nanStrategy. */
const valuesOf = (series: readonly Series[]): number[] =>
  series.flatMap((s) => s.points.map((p) => (p.value === null ? Number.NaN : p.value)));

const classifyOne = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
  metric: MetricSpec,
  now: Date,
) => {
  const judge = judgeSpecOf(metric);
  if (judge.type !== 'mann-whitney') throw new Error(`${metric.name} is not a mann-whitney metric`);
  const config = kayentaConfigOf(judge);
  const interval = metric.interval ?? spec.analysis.interval;
  const variables = { namespace: spec.target.namespace, interval };
  const template = metric.query ?? '';
  const query = renderTemplate(template, { ...variables, target: workloadOf(spec.target.canary) });
  const baselineQuery = renderTemplate(template, {
    ...variables,
    target: workloadOf(spec.target.primary),
  });
  const range = {
    start: new Date(now.getTime() - durationMs(interval)),
    end: now,
    stepSeconds: STEP_SECONDS,
  };
  let result: KayentaMetricResult;
  let down: string | undefined;
  let canaryPoints = 0;
  let baselinePoints = 0;
  if (query === baselineQuery) {
    result = {
      classification: 'Error',
      critical: config.critical,
      reason: 'the query does not name {{ target }}: canary and primary would be the same series',
    };
  } else {
    try {
      const [canary, baseline] = await Promise.all([
        metrics.queryRange(query, range),
        metrics.queryRange(baselineQuery, range),
      ]);
      const x = valuesOf(canary);
      const y = valuesOf(baseline);
      canaryPoints = x.length;
      baselinePoints = y.length;
      result = classifyMetric(x, y, config);
    } catch (error) {
      down = error instanceof Error ? error.message : String(error);
      result = {
        classification: 'Error',
        critical: config.critical,
        reason: `query failed: ${down}`,
      };
    }
  }
  return { metric, judge, query, result, canaryPoints, baselinePoints, down };
};

/**
 * Classifies every mann-whitney metric of the rollout on the check window (canary against
 * primary, 10-second points) and scores them together, Kayenta's way.
 */
export const measureMannWhitney = async (
  metricsOf: (metric: MetricSpec) => MetricsProvider,
  spec: RolloutSpec,
  now: Date,
): Promise<Map<string, MetricResult>> => {
  const chosen = spec.analysis.metrics.filter((m) => judgeOf(m) === 'mann-whitney');
  if (chosen.length === 0) return new Map();
  const classified = await Promise.all(chosen.map((m) => classifyOne(metricsOf(m), spec, m, now)));
  const thresholds = spec.analysis.scoreThresholds ?? DEFAULT_SCORE_THRESHOLDS;
  const score = scoreMetrics(
    classified.map(({ metric, judge, result }) => ({
      group: (judge.type === 'mann-whitney' ? judge.group : undefined) ?? metric.name,
      ...(judge.type === 'mann-whitney' && judge.weight !== undefined
        ? { weight: judge.weight }
        : {}),
      result,
    })),
    { pass: thresholds.pass, marginal: thresholds.marginal },
  );
  const verdict = scoreVerdict(
    score,
    classified.map((c) => c.result),
  );
  return new Map(
    classified.map((c) => [
      c.metric.name,
      withSourceDown(
        c.down,
        mannWhitneyResult({
          name: c.metric.name,
          query: c.query,
          result: c.result,
          canaryPoints: c.canaryPoints,
          baselinePoints: c.baselinePoints,
          score,
          verdict,
          thresholds: { pass: thresholds.pass, marginal: thresholds.marginal },
        }),
      ),
    ]),
  );
};

/** A mann-whitney metric's query is always custom: it went out for this rollout alone. */
const withSourceDown = (down: string | undefined, result: MetricResult): MetricResult => ({
  ...result,
  queriedAlone: CUSTOM_QUERY_ALONE,
  ...(down ? { sourceDown: down } : {}),
});
