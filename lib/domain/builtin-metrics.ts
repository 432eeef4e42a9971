/**
 * The built-in Istio checks. They read Istio's standard telemetry as the destination
 * proxy reports it, so that a Flagger user's numbers match ours.
 */
const SELECTOR =
  'reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"';

export const BUILTIN_METRICS = {
  /** Percentage of requests that did not answer 5xx. */
  'request-success-rate': `sum(rate(istio_requests_total{${SELECTOR},response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total{${SELECTOR}}[{{ interval }}])) * 100`,
  /** 99th percentile of request duration, in milliseconds. */
  'request-duration': `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${SELECTOR}}[{{ interval }}])) by (le))`,
} as const;

export type BuiltinMetricName = keyof typeof BUILTIN_METRICS;

/** An own-property check: `constructor` or `toString` is no built-in metric. */
export const isBuiltinMetric = (name: string): name is BuiltinMetricName =>
  Object.hasOwn(BUILTIN_METRICS, name);

/** Requests the destination served in the window: the sample size behind a built-in check. */
export const SAMPLE_SIZE_QUERY = `sum(increase(istio_requests_total{${SELECTOR}}[{{ interval }}]))`;
