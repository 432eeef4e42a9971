import { labelRegex } from '../domain/alert-matching.ts';
import { BUILTIN_METRICS, isBuiltinMetric } from '../domain/builtin-metrics.ts';
import { durationMs, isDuration } from '../domain/duration.ts';
import type { RolloutSpec } from '../domain/rollout-spec.ts';
import { TEMPLATE_VARIABLES, unknownPlaceholders } from '../domain/template.ts';
import { formatPath } from './issue-path.ts';
import { alphaSchema, judgeProblems, judgeSchema } from './judge-spec.ts';
import {
  clusterName,
  dnsLabel,
  dnsSubdomain,
  istioHost,
  MAX_CONDITIONS,
  MAX_MATCHERS,
  MAX_METRICS,
  plainText,
  safeNumber,
} from './limits.ts';
import * as z from './mini.ts';

const name = dnsLabel;
const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.describe(description));
const optional = <T extends z.ZodMiniType>(schema: T, description?: string) =>
  description === undefined ? z.optional(schema) : described(z.optional(schema), description);
/** A default, and what the field is (zod/mini's `_default` and `describe`). */
const withDefault = <T extends z.ZodMiniType>(
  schema: T,
  fallback: z.util.NoUndefined<z.output<T>>,
  description?: string,
) =>
  description === undefined
    ? z._default(schema, fallback)
    : described(z._default(schema, fallback), description);

/**
 * Durations stop at a year: more is a slip of the keyboard, and 10^25 ms is past what a Date
 * holds, so the first step applied after it (`now + interval`) would throw.
 */
export const MAX_DURATION = '8760h';
const duration = z.string().check(
  z.refine(isDuration, 'must be a duration such as 30s, 1m or 2h'),
  z.refine(
    (text) => !isDuration(text) || durationMs(text) <= durationMs(MAX_DURATION),
    `must be at most ${MAX_DURATION} (365 days)`,
  ),
);
const int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const weight = int(1, 99);

const destination = z.strictObject({
  host: described(istioHost, 'Istio host, e.g. my-service or my-service.prod.svc.cluster.local'),
  subset: optional(dnsLabel('subset'), 'DestinationRule subset, for subset-level canaries'),
  workload: optional(
    dnsSubdomain('workload'),
    'Workload name in Istio metrics; default: the host short name',
  ),
});

const queryText = z.string().check(z.minLength(1), z.maxLength(10_000));
const PLACEHOLDERS = TEMPLATE_VARIABLES.map((v) => `{{ ${v} }}`).join(', ');

/** Each query of the metric with its path: `query`, or `counts.requests` and `counts.bad`. */
const queriesOf = (metric: { query?: string; counts?: { requests: string; bad: string } }) => [
  ...(metric.query !== undefined ? [{ path: ['query'], text: metric.query }] : []),
  ...(metric.counts
    ? [
        { path: ['counts', 'requests'], text: metric.counts.requests },
        { path: ['counts', 'bad'], text: metric.counts.bad },
      ]
    : []),
];

const metric = z
  .strictObject({
    name: described(
      plainText(100),
      `A built-in (${Object.keys(BUILTIN_METRICS).join(', ')}) or a name for a custom query`,
    ),
    query: optional(queryText, `PromQL (or a provider's query); may use ${PLACEHOLDERS}`),
    counts: optional(
      z.strictObject({
        requests: described(queryText, 'All the requests (events) of {{ target }}'),
        bad: described(queryText, 'The bad ones among them (errors, slow requests, …)'),
      }),
      "The compare judge's counts for a metric that is not a built-in: on Prometheus cumulative counters, on CloudWatch sums per period",
    ),
    thresholdRange: optional(
      z
        .strictObject({ min: optional(safeNumber), max: optional(safeNumber) })
        .check(
          z.refine(
            (range) => range.min !== undefined || range.max !== undefined,
            'needs min, max or both',
          ),
        ),
      'The threshold judge: bounds for the canary alone',
    ),
    interval: optional(duration),
    judge: optional(judgeSchema),
    provider: optional(
      dnsLabel('provider'),
      "A custom query's metric provider, by its name in KANARI_METRIC_PROVIDERS; default: analysis.provider, else the deployment's Prometheus",
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      const custom = value.query !== undefined || value.counts !== undefined;
      if (value.provider !== undefined && !custom)
        ctx.addIssue({
          code: 'custom',
          path: ['provider'],
          message: "only for a custom query: built-ins are read from the deployment's Prometheus",
        });
      if (value.query !== undefined && value.counts !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['counts'],
          message: 'a metric has a query or counts, not both',
        });
      else if (value.counts !== undefined && isBuiltinMetric(value.name))
        ctx.addIssue({
          code: 'custom',
          path: ['name'],
          message: `${value.name} is a built-in, with Istio's counts: give metrics with their own counts another name`,
        });
      if (!custom && !isBuiltinMetric(value.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['query'],
          message: `required: ${value.name} is not a built-in metric (${Object.keys(BUILTIN_METRICS).join(', ')}); or give counts for the compare judge`,
        });
      }
      for (const { path, text } of queriesOf(value)) {
        const unknown = unknownPlaceholders(text);
        if (unknown.length > 0)
          ctx.addIssue({
            code: 'custom',
            path,
            message: `unknown template variable ${unknown.map((v) => `{{ ${v} }}`).join(', ')}; known: ${TEMPLATE_VARIABLES.join(', ')}`,
          });
      }
      // A custom query without a query is refused above; its judge rules would only repeat it.
      if (!custom && !isBuiltinMetric(value.name)) return;
      for (const problem of judgeProblems(value)) ctx.addIssue({ code: 'custom', ...problem });
    }),
  );

const score = z.number().check(z.gte(0), z.lte(100));
const scoreThresholds = described(
  z.strictObject({ pass: score, marginal: score }).check(
    z.refine((t) => t.marginal <= t.pass, {
      message: 'marginal must not exceed pass',
      path: ['marginal'],
    }),
  ),
  'Mann–Whitney group scores: pass at or above pass, hold at or above marginal; default 95 / 75',
);

const analysis = z
  .strictObject({
    provider: optional(
      dnsLabel('provider'),
      'The metric provider of the custom queries that name none, by its name in KANARI_METRIC_PROVIDERS',
    ),
    interval: withDefault(duration, '1m', 'Time between checks'),
    threshold: withDefault(int(1, 1000), 5, 'Failed checks before rollback'),
    stepWeights: optional(
      z.array(weight).check(z.minLength(1)),
      'Canary weights in order, e.g. [10, 20, 50]',
    ),
    stepWeight: optional(weight),
    maxWeight: optional(weight),
    progressDeadline: withDefault(
      duration,
      '10m',
      'Longest time a step may go without a conclusive check (time with no traffic not counted); then onDeadline',
    ),
    minSampleSize: withDefault(
      int(0, Number.MAX_SAFE_INTEGER),
      10,
      'Fewer canary requests make a check inconclusive',
    ),
    metrics: z.array(metric).check(z.minLength(1), z.maxLength(MAX_METRICS)),
    // Optional without a default on purpose: see AnalysisSpec.alpha.
    alpha: optional(
      alphaSchema,
      'False-rollback rate of the compare judge, split across its tests; default 0.01',
    ),
    onDeadline: optional(
      z.enum(['pause', 'rollback']),
      'What a step still inconclusive at progressDeadline does; default pause',
    ),
    scoreThresholds: optional(scoreThresholds),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (value.stepWeights && (value.stepWeight !== undefined || value.maxWeight !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stepWeights'],
          message: 'use stepWeights or stepWeight/maxWeight, not both',
        });
      }
      value.stepWeights?.forEach((w, i, all) => {
        if (i > 0 && w <= (all[i - 1] as number)) {
          ctx.addIssue({
            code: 'custom',
            path: ['stepWeights', i],
            message: 'must be greater than the previous weight',
          });
        }
      });
      if (
        value.stepWeight !== undefined &&
        value.maxWeight !== undefined &&
        value.stepWeight > value.maxWeight
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['stepWeight'],
          message: 'must not exceed maxWeight',
        });
      }
    }),
  );

const target = z
  .strictObject({
    cluster: withDefault(clusterName, 'default'),
    namespace: name('namespace'),
    virtualService: dnsSubdomain('virtualService'),
    route: optional(z.union([plainText(253), int(0, 10_000)])),
    primary: destination,
    canary: destination,
  })
  .check(
    z.superRefine((value, ctx) => {
      if (
        value.primary.host === value.canary.host &&
        (value.primary.subset ?? '') === (value.canary.subset ?? '')
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['canary'],
          message: 'must differ from primary (host or subset)',
        });
      }
    }),
  );

const regex = z.string().check(
  z.maxLength(1000),
  z.superRefine((pattern, ctx) => {
    try {
      labelRegex(pattern);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regex: ${(error as Error).message}` });
    }
  }),
);
// An empty map would hold no condition, and a matcher without conditions would match anything.
const conditions = <T extends z.ZodMiniType<unknown>>(value: T) =>
  z.record(plainText(128), value).check(
    z.refine((map) => Object.keys(map).length > 0, 'must not be empty'),
    z.refine((map) => Object.keys(map).length <= MAX_CONDITIONS, `at most ${MAX_CONDITIONS}`),
  );

const alertMatcher = described(
  z
    .strictObject({
      labels: optional(
        conditions(z.string().check(z.maxLength(1024))),
        'Label equality, like the Alertmanager matcher name="value"; absent labels are ""',
      ),
      labelsRegex: optional(
        conditions(regex),
        'Label regexes, anchored at both ends like the Alertmanager matcher name=~"value" (RE2 syntax, as Alertmanager: linear time)',
      ),
      alarmNames: optional(
        z.array(plainText(255)).check(z.minLength(1), z.maxLength(MAX_CONDITIONS)),
        'CloudWatch alarm names (State Change events on EventBridge)',
      ),
      alarmTags: optional(
        conditions(z.string().check(z.maxLength(256))),
        'CloudWatch alarm tags, read with cloudwatch:ListTagsForResource when needed',
      ),
      action: withDefault(
        z.enum(['rollback', 'pause']),
        'rollback',
        'What a matching firing alert does to the rollout',
      ),
    })
    .check(
      z.refine(
        (m) => m.labels ?? m.labelsRegex ?? m.alarmNames ?? m.alarmTags,
        'needs at least one of labels, labelsRegex, alarmNames, alarmTags',
      ),
    ),
  'Every condition given must hold; a rollout matches when any matcher does',
);

const alerts = described(
  z.strictObject({
    bakeWindow: withDefault(
      duration,
      '0s',
      'How long after Succeeded a matching alert still rolls back, e.g. 10m',
    ),
    matchers: z.array(alertMatcher).check(z.minLength(1), z.maxLength(MAX_MATCHERS)),
  }),
  'Alerts that roll the canary back (or pause it) at once, not at the next check',
);

/** A rollout spec as users write it (YAML or JSON). */
export const rolloutSpecSchema = z.strictObject({
  name: name('name'),
  target,
  analysis,
  alerts: optional(alerts),
  onDrift: optional(
    z.enum(['pause', 'reapply']),
    "When the VirtualService's weights are not the ones kanari last applied: pause the rollout (the default) or re-apply kanari's weights. Either way the ledger records the drift",
  ),
}) satisfies z.ZodMiniType<RolloutSpec, unknown>;

export type RolloutSpecInput = z.input<typeof rolloutSpecSchema>;

/** A problem with a spec: the field path (e.g. `analysis.metrics[0].thresholdRange`) and what is wrong. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** Validates a spec; problems are returned as data, one per bad field. */
export const parseRolloutSpec = (
  input: unknown,
): { ok: true; spec: RolloutSpec } | { ok: false; problems: SpecProblem[] } => {
  const result = rolloutSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  return {
    ok: false,
    problems: result.error.issues.flatMap(unionBranch).map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
    })),
  };
};

type Issue = { code: string; path: PropertyKey[]; message: string; errors?: Issue[][] };

/**
 * A value that fits no branch of a union (`judge: compare` or `judge: { type: compare, … }`)
 * gets zod's bare "Invalid input". The branch that went deeper into the value is the one the
 * user meant: its problems, with their paths, say what is wrong.
 */
const unionBranch = (issue: Issue): Issue[] => {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
  const deep = issue.errors.filter((branch) => branch.some((i) => i.path.length > 0));
  if (deep.length === 1)
    return (deep[0] as Issue[]).flatMap((i) =>
      unionBranch({ ...i, path: [...issue.path, ...i.path] }),
    );
  const said = issue.errors.flat().find((i) => i.path.length === 0 && i.code !== 'invalid_type');
  return [
    issue.message === 'Invalid input' && deep.length === 0 && said
      ? { ...issue, message: said.message }
      : issue,
  ];
};
