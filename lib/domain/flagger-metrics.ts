import { isBuiltinMetric } from './builtin-metrics.ts';
import { child, type FieldUse } from './flagger-fields.ts';
import type { FlaggerMetric, FlaggerMetricTemplate } from './flagger-types.ts';
import type { MetricSpec, ThresholdRange } from './rollout-spec.ts';
import { unknownPlaceholders } from './template.ts';

/** Flagger's default query window for a metric without `interval` (its GetMetricInterval). */
const FLAGGER_METRIC_INTERVAL = '1m';
const FLAGGER_VARIABLES = ['name', 'service'];

/**
 * What Flagger's deprecated `threshold` bounds. Flagger's scheduler halts the built-in
 * request-success-rate when the value is below it, and every other metric (request-duration,
 * an in-line `query`, a MetricTemplate) when the value is above it.
 */
export const legacyThresholdRange = (
  metric: Pick<FlaggerMetric, 'name' | 'threshold' | 'templateRef' | 'query'>,
): ThresholdRange | undefined => {
  if (metric.threshold === undefined) return undefined;
  const builtinSuccessRate =
    metric.name === 'request-success-rate' && !metric.templateRef && !metric.query;
  return builtinSuccessRate ? { min: metric.threshold } : { max: metric.threshold };
};

export interface MetricContext {
  namespace: string;
  /** The Canary's name and service, for Flagger's `{{ name }}` and `{{ service }}`. */
  names: { name: string; service: string };
  templates: readonly FlaggerMetricTemplate[];
}

/**
 * Translates one Flagger metric at `path`, recording on `use` what it took and what it left.
 * Returns the kanari metric and the MetricTemplate it came from, or nothing when it cannot be
 * translated (the reason is then on `use`).
 */
export const translateMetric = (
  metric: FlaggerMetric,
  path: string,
  use: FieldUse,
  context: MetricContext,
): { metric: MetricSpec; template?: FlaggerMetricTemplate } | undefined => {
  const label = `(${metric.name})`;
  const fail = (why: string) => {
    use.leave(path, why, label);
    return undefined;
  };
  const range = metric.thresholdRange ?? legacyThresholdRange(metric);
  if (!range || (range.min === undefined && range.max === undefined))
    return fail('no thresholdRange or threshold; kanari needs a bound to judge');

  let query: string | undefined;
  let template: FlaggerMetricTemplate | undefined;
  if (metric.templateRef) {
    const ref = metric.templateRef;
    const refNamespace = ref.namespace ?? context.namespace;
    template = context.templates.find(
      (t) =>
        t.metadata.name === ref.name &&
        (t.metadata.namespace ?? context.namespace) === refNamespace,
    );
    if (!template) {
      return fail(
        `its query lives in MetricTemplate ${refNamespace}/${ref.name}, which was not given (put it in the same file, or pass it with --template)`,
      );
    }
    const provider = template.spec.provider?.type ?? 'prometheus';
    if (provider !== 'prometheus')
      return fail(
        `MetricTemplate ${ref.name} uses provider ${provider}; kanari queries Prometheus`,
      );
    if (!template.spec.query) return fail(`MetricTemplate ${ref.name} has no query`);
    query = renderFlaggerVariables(template.spec.query, {
      ...Object.fromEntries(
        Object.entries(metric.templateVariables ?? {}).map(([k, v]) => [`variables.${k}`, v]),
      ),
      ...context.names,
    });
    use.use(child(path, 'templateRef'), child(path, 'templateVariables'));
  } else if (metric.query) {
    // Flagger's deprecated in-line PromQL.
    query = metric.query;
    use.use(child(path, 'query'));
  } else if (!isBuiltinMetric(metric.name)) {
    return fail(`not a built-in metric (${metric.name}), and no templateRef or query`);
  }
  if (query) {
    const unknown = unknownPlaceholders(query);
    if (unknown.length > 0) {
      const source = template ? `MetricTemplate ${template.metadata.name}` : 'its query';
      return fail(
        `${source} uses ${unknown.map((v) => `{{ ${v} }}`).join(', ')}, which kanari cannot fill`,
      );
    }
  }

  use.use(child(path, 'name'), child(path, 'interval'));
  if (metric.thresholdRange) {
    use.use(child(path, 'thresholdRange'));
    if (metric.threshold !== undefined)
      use.leave(
        child(path, 'threshold'),
        'ignored, as Flagger ignores it, because thresholdRange is set',
      );
  } else use.use(child(path, 'threshold'));

  // Flagger queries a built-in over 1m unless the metric says otherwise; kanari's default
  // would be the analysis interval, so the import says 1m.
  const interval = metric.interval ?? (query === undefined ? FLAGGER_METRIC_INTERVAL : undefined);
  // The judge is written out, so that the imported spec keeps Flagger's meaning (the canary
  // alone against the range) whatever kanari's default judge becomes.
  return {
    metric: {
      name: metric.name,
      judge: { type: 'threshold' },
      thresholdRange: { ...range },
      ...(query !== undefined ? { query } : {}),
      ...(interval ? { interval } : {}),
    },
    ...(template ? { template } : {}),
  };
};

/** Fills the Flagger-only variables; kanari's own (`namespace`, `target`, `interval`) stay. */
const renderFlaggerVariables = (query: string, values: Record<string, string>): string =>
  query.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) =>
    name in values && (FLAGGER_VARIABLES.includes(name) || name.startsWith('variables.'))
      ? (values[name] as string)
      : whole,
  );
