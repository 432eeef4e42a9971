import { BUILTIN_METRICS } from '../domain/builtin-metrics.ts';
import { isBuiltin, JUDGE_TYPES, type JudgeSpec, type MetricSpec } from '../domain/rollout-spec.ts';
import * as z from './mini.ts';

// The per-metric `judge:` of a rollout spec (issue 8): a string shorthand (`judge: compare`) or
// an object with options. The parsed spec always holds the object form, so that a shorthand and
// its object are the same spec to the in-flight diff.

const BUILTINS = Object.keys(BUILTIN_METRICS).join(', ');

/** A significance level: above 0, at most 0.5 (a test at 0.5 is already a coin toss). */
export const alphaSchema = z
  .number()
  .check(z.gt(0, 'must be above 0'), z.lte(0.5, 'must be at most 0.5'));

const positive = z.number().check(z.positive());
const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.describe(description));
const optional = <T extends z.ZodMiniType>(schema: T, description?: string) =>
  description === undefined ? z.optional(schema) : described(z.optional(schema), description);

const latencyBound = z.union(
  [
    z.strictObject({
      percentile: described(
        z.number().check(z.gt(0), z.lt(100)),
        "The primary's own latency at this percentile, from the window before the step",
      ),
    }),
    z.strictObject({
      ms: described(positive, 'A fixed bound in milliseconds (the bucket at or above it)'),
    }),
  ],
  { error: 'a bound is { percentile: p } or { ms: n }, one key' },
);

const threshold = z.strictObject({ type: z.literal('threshold') });

const compare = z.strictObject({
  type: z.literal('compare'),
  alpha: optional(
    alphaSchema,
    "This metric's share of the false-rollback rate; default: analysis.alpha split",
  ),
  tolerance: optional(
    z.number().check(z.gt(1, 'must be above 1: it is the rate ratio the canary may not reach')),
    'Non-inferior when the upper end of the interval for the rate ratio is below it; default 1.5',
  ),
  k: optional(
    positive,
    "Prior concentration of the mixture test's e-value; default 30 (DEFAULT_COMPARE.k)",
  ),
  bounds: optional(
    z.array(latencyBound).check(z.minLength(1)),
    'request-duration only: the latency bounds; default [{ percentile: 99 }]',
  ),
});

const effectSize = z.strictObject({
  measure: z.enum(['meanRatio', 'cles']),
  allowedIncrease: optional(positive),
  allowedDecrease: optional(positive),
  criticalIncrease: optional(positive),
  criticalDecrease: optional(positive),
});

const mannWhitney = z.strictObject({
  type: z.literal('mann-whitney'),
  direction: optional(
    z.enum(['increase', 'decrease', 'either']),
    'The direction that is a regression; default either',
  ),
  confidence: optional(z.number().check(z.gt(0), z.lt(1)), 'Default 0.98'),
  tolerance: optional(z.number().check(z.gte(0)), 'Default 0.25'),
  effectSize: optional(effectSize),
  critical: optional(z.boolean(), 'A failure of this metric fails the check'),
  mustHaveData: optional(z.boolean(), 'No data is a failure, not a skip'),
  nanStrategy: optional(z.enum(['remove', 'replace'])),
  outliers: optional(z.enum(['keep', 'remove']), 'remove: IQR outlier removal'),
  group: optional(z.string().check(z.minLength(1))),
  weight: optional(positive),
});

const judgeObject = z.discriminatedUnion('type', [threshold, compare, mannWhitney]);

/** `judge:` as written: a judge's name, or an object with `type` and options. */
export const judgeSchema = described(
  z.union([
    z.pipe(
      z.enum(JUDGE_TYPES),
      z.transform((type) => ({ type }) as JudgeSpec),
    ),
    judgeObject,
  ]),
  `How this metric is judged: ${JUDGE_TYPES.join(', ')}; default compare for the built-ins, threshold with thresholdRange`,
) as z.ZodMiniType<JudgeSpec, unknown>;

type Issue = { path: (string | number)[]; message: string };

/** The rules between a metric's judge and its other fields, as problems with their paths. */
export const judgeProblems = (metric: MetricSpec): Issue[] => {
  const { judge, thresholdRange } = metric;
  const builtin = isBuiltin(metric);
  if (metric.counts && judge && judge.type !== 'compare')
    return [
      {
        path: ['judge'],
        message: `counts are judged by compare (canary against primary); this metric's judge is ${judge.type}`,
      },
    ];
  if (metric.counts && thresholdRange)
    return [
      {
        path: ['thresholdRange'],
        message: 'only the threshold judge uses it; a metric with counts is judged by compare',
      },
    ];
  if (!judge) {
    if (thresholdRange || builtin || metric.counts) return [];
    return [
      {
        path: ['thresholdRange'],
        message: `required: a custom query is judged by threshold (with thresholdRange) or by judge: mann-whitney`,
      },
    ];
  }
  const problems: Issue[] = [];
  if (judge.type === 'threshold' && !thresholdRange)
    problems.push({ path: ['thresholdRange'], message: 'required by the threshold judge' });
  if (judge.type !== 'threshold' && thresholdRange)
    problems.push({
      path: ['thresholdRange'],
      message: `only the threshold judge uses it; remove it or set judge: threshold (this metric's judge is ${judge.type})`,
    });
  if (judge.type === 'compare') {
    if (!builtin && !metric.counts)
      problems.push({
        path: ['judge'],
        message: `compare works on request counts: the built-ins' (${BUILTINS}), or a metric's own counts (requests and bad); a custom query cannot be compared: give counts, or use mann-whitney or threshold`,
      });
    else if (judge.bounds && metric.name !== 'request-duration')
      problems.push({
        path: ['judge', 'bounds'],
        message: 'latency bounds apply to request-duration only',
      });
  }
  return problems;
};
