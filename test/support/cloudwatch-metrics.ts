import type { StandInAnswer } from './sigv4-check.ts';

// What GetMetricData answers for metrics a test publishes, as CloudWatch documents it, so that
// the signature-checking stand-in (sigv4-check.ts) can answer count queries:
// - a MetricStat query with `Stat: Sum` gives, for each period of `Period` seconds on the epoch
//   grid that starts within [StartTime, EndTime), the sum of the datapoints in it, stamped with
//   the period's start; a period without a datapoint is absent;
// - an expression `a + b + …` adds the named queries' values at the timestamps all of them have;
// - only the queries with ReturnData not false are answered, in ScanBy's order;
// - a datapoint is published `lagSeconds` after its minute ends: asked earlier, it is not there
//   yet (CloudWatch's services publish every minute, a few minutes late).
// Anything else (another statistic, other math) is refused with a 400, so a test cannot pass on
// something this model does not know.

export interface CloudWatchMetric {
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: string }[];
}

interface Query {
  Id: string;
  MetricStat?: { Metric: CloudWatchMetric; Period: number; Stat: string };
  Expression?: string;
  ReturnData?: boolean;
}

interface Request {
  MetricDataQueries: Query[];
  StartTime: number;
  EndTime: number;
  ScanBy?: 'TimestampAscending' | 'TimestampDescending';
}

const keyOf = (metric: CloudWatchMetric): string =>
  JSON.stringify([
    metric.Namespace,
    metric.MetricName,
    [...(metric.Dimensions ?? [])].sort((a, b) => a.Name.localeCompare(b.Name)),
  ]);

const refuse = (message: string): StandInAnswer => ({
  status: 400,
  body: { __type: 'InvalidParameterValueException', message },
});

export class CloudWatchMetrics {
  /** metric → minute (epoch seconds, its start) → the value published for it. */
  private readonly minutes = new Map<string, Map<number, number>>();

  constructor(
    private readonly now: () => number,
    private readonly lagSeconds = 120,
  ) {}

  /** Publishes `value` for the minute starting at `t` (epoch seconds, a multiple of 60). */
  put(metric: CloudWatchMetric, t: number, value: number): void {
    const key = keyOf(metric);
    const series = this.minutes.get(key) ?? new Map<number, number>();
    series.set(t, (series.get(t) ?? 0) + value);
    this.minutes.set(key, series);
  }

  /** The sum of a metric's values over the minutes that start in [from, to). */
  sum(metric: CloudWatchMetric, from: number, to: number): number {
    let total = 0;
    for (const [t, value] of this.minutes.get(keyOf(metric)) ?? [])
      if (t >= from && t < to) total += value;
    return total;
  }

  /** The answer to a GetMetricData request. */
  answer = (body: unknown): StandInAnswer => {
    const request = body as Request;
    const values = new Map<string, Map<number, number>>();
    for (const query of request.MetricDataQueries) {
      if (query.MetricStat) {
        const { Metric, Period, Stat } = query.MetricStat;
        if (Stat !== 'Sum') return refuse(`the stand-in knows Stat Sum only, not ${Stat}`);
        values.set(query.Id, this.sums(Metric, Period, request.StartTime, request.EndTime));
      } else if (query.Expression && /^\s*\w+(\s*\+\s*\w+)*\s*$/.test(query.Expression)) {
        const operands = query.Expression.split('+').map((id) => values.get(id.trim()));
        if (operands.some((o) => o === undefined))
          return refuse(`${query.Id}: an operand is not an earlier query`);
        const [first, ...rest] = operands as Map<number, number>[];
        const added = new Map<number, number>();
        for (const [t, value] of first ?? [])
          if (rest.every((o) => o.has(t)))
            added.set(
              t,
              rest.reduce((sum, o) => sum + (o.get(t) ?? 0), value),
            );
        values.set(query.Id, added);
      } else return refuse(`${query.Id}: the stand-in knows MetricStat and a + b only`);
    }
    const descending = request.ScanBy !== 'TimestampAscending';
    return {
      status: 200,
      body: {
        MetricDataResults: request.MetricDataQueries.filter((q) => q.ReturnData !== false).map(
          (q) => {
            const points = [...(values.get(q.Id) ?? [])].sort(([a], [b]) =>
              descending ? b - a : a - b,
            );
            return {
              Id: q.Id,
              Label: q.Id,
              Timestamps: points.map(([t]) => t),
              Values: points.map(([, v]) => v),
              StatusCode: 'Complete',
            };
          },
        ),
      },
    };
  };

  /** Sums per period over [start, end), of the minutes published by now. */
  private sums(metric: CloudWatchMetric, period: number, start: number, end: number) {
    const published = this.now() - this.lagSeconds;
    const sums = new Map<number, number>();
    for (const [t, value] of this.minutes.get(keyOf(metric)) ?? []) {
      const p = Math.floor(t / period) * period;
      if (p < start || p >= end || t + 60 > published) continue;
      sums.set(p, (sums.get(p) ?? 0) + value);
    }
    return sums;
  }
}
