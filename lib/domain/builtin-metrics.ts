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

const EVERY_DESTINATION = 'reporter="destination"';
const BY_WORKLOAD = 'by (destination_workload_namespace, destination_workload)';

/**
 * The same checks for every workload at once: no namespace or workload selector, one row per
 * `(destination_workload_namespace, destination_workload)`. A scheduler tick asks each of them
 * once (per interval) and every rollout picks its canary's and its primary's rows by exact
 * label equality (`indexByWorkload`); a workload without a row has no data. Each row holds the
 * number the per-workload query above gives for that workload, evaluated at the same time.
 * `{{ interval }}` is their only variable.
 */
export const GROUPED_BUILTIN_METRICS: Record<BuiltinMetricName, string> = {
  'request-success-rate': `sum(rate(istio_requests_total{${EVERY_DESTINATION},response_code!~"5.*"}[{{ interval }}])) ${BY_WORKLOAD} / sum(rate(istio_requests_total{${EVERY_DESTINATION}}[{{ interval }}])) ${BY_WORKLOAD} * 100`,
  'request-duration': `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${EVERY_DESTINATION}}[{{ interval }}])) by (destination_workload_namespace, destination_workload, le))`,
};

/** SAMPLE_SIZE_QUERY for every workload at once (see GROUPED_BUILTIN_METRICS). */
export const GROUPED_SAMPLE_SIZE_QUERY = `sum(increase(istio_requests_total{${EVERY_DESTINATION}}[{{ interval }}])) ${BY_WORKLOAD}`;
