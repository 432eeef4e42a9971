/**
 * PromQL for the built-in checks as counts keyed by workload: cumulative counters summed by
 * `(destination_workload_namespace, destination_workload)`, so that one query answers for
 * many workloads (canary and primary, or with `'all'` every rollout of a scheduler tick at
 * once) and the caller splits the result per destination (`resultOf`, `indexByWorkload`).
 *
 * They read Istio's standard telemetry as the destination proxy reports it
 * (`reporter="destination"`), like the threshold built-ins in builtin-metrics.ts.
 */

/** One destination's metrics identity. */
export interface WorkloadRef {
  namespace: string;
  workload: string;
}

/**
 * - `requests`: every request;
 * - `errors`: requests answered 5xx;
 * - `atOrBelow`: requests whose duration fell in a bucket with this upper bound (ms) or a lower
 *   one. It must be an `le` the histogram has; slow = requests − atOrBelow.
 */
export type CountKind = 'requests' | 'errors' | { atOrBelowMs: number };

const BY_WORKLOAD = 'destination_workload_namespace, destination_workload';

/**
 * Which workloads a count query selects: the given ones, or `'all'`, every workload (no
 * namespace or workload selector): the form a scheduler tick asks once for all its rollouts.
 */
export type Workloads = readonly WorkloadRef[] | 'all';

/** Cumulative count per workload (a counter: read it with a range query and difference it). */
export const countQuery = (kind: CountKind, targets: Workloads): string => {
  const selector = workloadSelector(targets);
  if (kind === 'requests') return `sum by (${BY_WORKLOAD}) (istio_requests_total{${selector}})`;
  if (kind === 'errors') {
    return `sum by (${BY_WORKLOAD}) (istio_requests_total{${selector},response_code=~"5.."})`;
  }
  return `sum by (${BY_WORKLOAD}) (istio_request_duration_milliseconds_bucket{${selector},le=~"${leMatcher(kind.atOrBelowMs)}"})`;
};

/**
 * Requests per duration bucket per workload over the `windowSeconds` before the evaluation
 * time: cumulative bucket counts by `le`, as histogram_quantile reads them.
 */
export const bucketIncreaseQuery = (targets: Workloads, windowSeconds: number): string => {
  if (!Number.isInteger(windowSeconds) || windowSeconds <= 0) {
    throw new RangeError(`window must be a whole number of seconds > 0, got ${windowSeconds}`);
  }
  return `sum by (${BY_WORKLOAD}, le) (increase(istio_request_duration_milliseconds_bucket{${workloadSelector(targets)}}[${windowSeconds}s]))`;
};

/** True when a result's labels are this destination's. */
export const isWorkload = (labels: Record<string, string>, target: WorkloadRef): boolean =>
  labels.destination_workload_namespace === target.namespace &&
  labels.destination_workload === target.workload;

/** The one result row that belongs to `target`, if any. */
export const resultOf = <T extends { labels: Record<string, string> }>(
  rows: readonly T[],
  target: WorkloadRef,
): T | undefined => rows.find((row) => isWorkload(row.labels, target));

const workloadKey = (namespace: string | undefined, workload: string | undefined): string =>
  JSON.stringify([namespace, workload]);

/**
 * A result's rows by destination, built once per response: a tick's grouped query may hold
 * tens of thousands of rows and be read by as many rollouts, so each reads its own rows
 * without scanning the others. Rows without both labels belong to no workload.
 */
export const indexByWorkload = <T extends { labels: Record<string, string> }>(
  rows: readonly T[],
): ((target: WorkloadRef) => T[]) => {
  const index = new Map<string, T[]>();
  for (const row of rows) {
    const { destination_workload_namespace: namespace, destination_workload: workload } =
      row.labels;
    if (namespace === undefined || workload === undefined) continue;
    const key = workloadKey(namespace, workload);
    const list = index.get(key);
    if (list) list.push(row);
    else index.set(key, [row]);
  }
  return (target) => index.get(workloadKey(target.namespace, target.workload)) ?? [];
};

/**
 * Namespaces and workloads as regex alternatives. For several targets this selects their cross
 * product, a superset: the caller keeps only the rows it asked for (`resultOf`).
 */
const workloadSelector = (targets: Workloads): string => {
  if (targets === 'all') return 'reporter="destination"';
  if (targets.length === 0) throw new RangeError('a count query needs at least one workload');
  const alternatives = (values: string[]) =>
    [...new Set(values)].map((value) => promString(escapeRegex(value))).join('|');
  return [
    'reporter="destination"',
    `destination_workload_namespace=~"${alternatives(targets.map((t) => t.namespace))}"`,
    `destination_workload=~"${alternatives(targets.map((t) => t.workload))}"`,
  ].join(',');
};

/**
 * The spellings an exporter may give one bucket bound: `500`, `500.0` (Prometheus 3 normalises
 * to this), `3.6e+06` (Envoy, hence Istio, and Go's `%g`, from 1e6 up). A label matcher
 * compares strings, so all of them are matched.
 */
export const leSpellings = (ms: number): string[] => {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new RangeError(`bucket bound must be > 0 ms, got ${ms}`);
  const plain = String(ms);
  const spellings = [plain, goShortestG(ms)];
  for (const s of [...spellings]) if (!/[.e]/.test(s)) spellings.push(`${s}.0`);
  return [...new Set(spellings)];
};

const leMatcher = (ms: number): string =>
  leSpellings(ms)
    .map((s) => promString(escapeRegex(s)))
    .join('|');

/**
 * Go's `strconv.FormatFloat(x, 'g', -1, 64)`: shortest digits, exponent form (two digits at
 * least) when the decimal exponent is below -4 or 6 and above, e.g. 1800000 → `1.8e+06`.
 */
const goShortestG = (x: number): string => {
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent >= -4 && exponent < 6) return String(x);
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
};

/** RE2 metacharacters escaped, so a name matches itself only. */
const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/** Escapes for a PromQL double-quoted string literal. */
const promString = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
