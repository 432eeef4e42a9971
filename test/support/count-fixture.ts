/**
 * Known Istio counters, sampled every 5 s from T0 − 30 s to T0 + 60 s, as OpenMetrics text for
 * `promtool tsdb create-blocks-from openmetrics`. The expected bucket counts in
 * prometheus-counts.test.ts are worked out by hand from the rules below, not by the code.
 *
 * Per 5 s:
 * - web-primary, two pods: p1 serves 10 × 200 and 1 × 500, p2 serves 20 × 200. Durations,
 *   cumulative by le (100, 250, 500, 1000, 3.6e+06, +Inf): p1 5, 9, 11, 11, 11, 11;
 *   p2 10, 18, 19, 20, 20, 20.
 * - web-canary, one pod: 5 × 200 and 1 × 500; durations 1, 3, 5, 6, 6, 6. The pod restarts
 *   between T0 + 35 and T0 + 40: from the T0 + 40 sample on, its counters count again from 0
 *   (one interval's worth at T0 + 40).
 * - late: no series before T0 + 25; then 4 × 200 per 5 s; its first 5xx series appears at
 *   T0 + 45 with 1, growing by 1 per 5 s.
 * - noise that every query must ignore: reporter="source" and namespace "other" copies of
 *   web-primary with huge counts.
 */

/** Aligned to 10 s, three hours back: inside the default retention, clear of the head block. */
export const fixtureT0 = (now = Date.now()): number =>
  Math.floor(now / 3_600_000) * 3600 - 3 * 3600;

const LE = ['100', '250', '500', '1000', '3.6e+06', '+Inf'] as const;
const OFFSETS = Array.from({ length: 19 }, (_, i) => -30 + 5 * i);

type Labels = Record<string, string>;
interface Line {
  name: string;
  labels: Labels;
  value: (offset: number) => number | undefined;
}

const base = (workload: string, pod: string, code: string, namespace = 'shop'): Labels => ({
  reporter: 'destination',
  destination_workload_namespace: namespace,
  destination_workload: workload,
  pod,
  response_code: code,
});

/** Intervals of 5 s elapsed at this offset, counting from the first sample (T0 − 30 s). */
const intervals = (offset: number) => (offset + 30) / 5 + 1;
/** The canary restarted between +35 and +40: count intervals since the restart. */
const canaryIntervals = (offset: number) => (offset >= 40 ? (offset - 35) / 5 : intervals(offset));

const steady =
  (perInterval: number, count = intervals) =>
  (offset: number) =>
    perInterval * count(offset);

const lines = (): Line[] => {
  const out: Line[] = [];
  const workload = (
    name: string,
    pod: string,
    ok: number,
    errors: number,
    buckets: readonly number[],
    count = intervals,
    namespace = 'shop',
  ) => {
    out.push({
      name: 'istio_requests_total',
      labels: base(name, pod, '200', namespace),
      value: steady(ok, count),
    });
    if (errors > 0) {
      out.push({
        name: 'istio_requests_total',
        labels: base(name, pod, '500', namespace),
        value: steady(errors, count),
      });
    }
    LE.forEach((le, i) => {
      out.push({
        name: 'istio_request_duration_milliseconds_bucket',
        labels: { ...base(name, pod, '200', namespace), le },
        value: steady(buckets[i] as number, count),
      });
    });
  };
  workload('web-primary', 'p1', 10, 1, [5, 9, 11, 11, 11, 11]);
  workload('web-primary', 'p2', 20, 0, [10, 18, 19, 20, 20, 20]);
  workload('web-canary', 'c1', 5, 1, [1, 3, 5, 6, 6, 6], canaryIntervals);
  workload('web-primary', 'x1', 1000, 1000, [1, 1, 1, 1, 1000, 2000], intervals, 'other');
  out.push({
    name: 'istio_requests_total',
    labels: { ...base('web-primary', 'p1', '500'), reporter: 'source' },
    value: steady(1000),
  });
  const late = (from: number, per: number) => (offset: number) =>
    offset >= from ? (per * (offset - from)) / 5 + per : undefined;
  out.push({ name: 'istio_requests_total', labels: base('late', 'l1', '200'), value: late(25, 4) });
  out.push({ name: 'istio_requests_total', labels: base('late', 'l1', '500'), value: late(45, 1) });
  return out;
};

const render = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');

/** The fixture as OpenMetrics text (one family per metric name, `# EOF` at the end). */
export const fixtureOpenMetrics = (t0: number): string => {
  const byName = new Map<string, string[]>();
  for (const line of lines()) {
    const rows = byName.get(line.name) ?? [];
    for (const offset of OFFSETS) {
      const value = line.value(offset);
      if (value !== undefined)
        rows.push(`${line.name}{${render(line.labels)}} ${value} ${t0 + offset}`);
    }
    byName.set(line.name, rows);
  }
  const families = [...byName.entries()].map(([name, rows]) => {
    const family = name.replace(/_total$|_bucket$/, '');
    const type = name.endsWith('_bucket') ? 'histogram' : 'counter';
    return [`# TYPE ${family} ${type}`, ...rows].join('\n');
  });
  return `${families.join('\n')}\n# EOF\n`;
};
