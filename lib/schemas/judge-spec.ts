import * as z from 'zod';
import { BUILTIN_METRICS, isBuiltinMetric } from '../domain/builtin-metrics.ts';
import { JUDGE_TYPES, type JudgeSpec, type MetricSpec } from '../domain/rollout-spec.ts';

// The per-metric `judge:` of a rollout spec (issue 8): a string shorthand (`judge: compare`) or
// an object with options. The parsed spec always holds the object form, so that a shorthand and
// its object are the same spec to the in-flight diff.

const BUILTINS = Object.keys(BUILTIN_METRICS).join(', ');

/** A significance level: above 0, at most 0.5 (a test at 0.5 is already a coin toss). */
export const alphaSchema = z.number().gt(0, 'must be above 0').max(0.5, 'must be at most 0.5');

const positive = z.number().positive().finite();

const latencyBound = z.union(
  [
    z
      .object({
        percentile: z
          .number()
          .gt(0)
          .lt(100)
          .describe(
            "The primary's own latency at this percentile, from the window before the step",
          ),
      })
      .strict(),
    z
      .object({
        ms: positive.describe('A fixed bound in milliseconds (the bucket at or above it)'),
      })
      .strict(),
  ],
  { error: 'a bound is { percentile: p } or { ms: n }, one key' },
);

const threshold = z.object({ type: z.literal('threshold') }).strict();

const compare = z
  .object({
    type: z.literal('compare'),
    alpha: alphaSchema
      .optional()
      .describe("This metric's share of the false-rollback rate; default: analysis.alpha split"),
    tolerance: z
      .number()
      .gt(1, 'must be above 1: it is the rate ratio the canary may not reach')
      .finite()
      .optional()
      .describe(
        'Non-inferior when the upper end of the interval for the rate ratio is below it; default 1.5',
      ),
    k: positive
      .optional()
      .describe(
        "Prior concentration of the mixture test's e-value; default 30 (DEFAULT_COMPARE.k)",
      ),
    bounds: z
      .array(latencyBound)
      .min(1)
      .optional()
      .describe('request-duration only: the latency bounds; default [{ percentile: 99 }]'),
  })
  .strict();

const effectSize = z
  .object({
    measure: z.enum(['meanRatio', 'cles']),
    allowedIncrease: positive.optional(),
    allowedDecrease: positive.optional(),
    criticalIncrease: positive.optional(),
    criticalDecrease: positive.optional(),
  })
  .strict();

const mannWhitney = z
  .object({
    type: z.literal('mann-whitney'),
    direction: z
      .enum(['increase', 'decrease', 'either'])
      .optional()
      .describe('The direction that is a regression; default either'),
    confidence: z.number().gt(0).lt(1).optional().describe('Default 0.98'),
    tolerance: z.number().min(0).finite().optional().describe('Default 0.25'),
    effectSize: effectSize.optional(),
    critical: z.boolean().optional().describe('A failure of this metric fails the check'),
    mustHaveData: z.boolean().optional().describe('No data is a failure, not a skip'),
    nanStrategy: z.enum(['remove', 'replace']).optional(),
    outliers: z.enum(['keep', 'remove']).optional().describe('remove: IQR outlier removal'),
    group: z.string().min(1).optional(),
    weight: positive.optional(),
  })
  .strict();

const judgeObject = z.discriminatedUnion('type', [threshold, compare, mannWhitney]);

/** `judge:` as written: a judge's name, or an object with `type` and options. */
export const judgeSchema = z
  .union([z.enum(JUDGE_TYPES).transform((type) => ({ type }) as JudgeSpec), judgeObject])
  .describe(
    `How this metric is judged: ${JUDGE_TYPES.join(', ')}; default compare for the built-ins, threshold with thresholdRange`,
  ) as z.ZodType<JudgeSpec, unknown>;

type Issue = { path: (string | number)[]; message: string };

/** The rules between a metric's judge and its other fields, as problems with their paths. */
export const judgeProblems = (metric: MetricSpec): Issue[] => {
  const { judge, thresholdRange } = metric;
  const builtin = metric.query === undefined && isBuiltinMetric(metric.name);
  if (!judge) {
    if (thresholdRange || builtin) return [];
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
    if (!builtin)
      problems.push({
        path: ['judge'],
        message: `compare works on request counts, which only the built-ins (${BUILTINS}) have; a custom query cannot be compared: use mann-whitney or threshold`,
      });
    else if (judge.bounds && metric.name !== 'request-duration')
      problems.push({
        path: ['judge', 'bounds'],
        message: 'latency bounds apply to request-duration only',
      });
  }
  return problems;
};
