import * as z from 'zod';
import {
  DEFAULT_REPLAY_SPEC,
  REPLAY_METRICS,
  type ReplayBucket,
  type ReplaySpec,
} from '../domain/judge-replay.ts';
import { formatPath } from './issue-path.ts';
import type { SpecProblem } from './rollout-spec.ts';

/** For a wrong type: "required" when the field is absent, else what it must be; zod's own words otherwise. */
const needs = (what: string) => (issue: { code?: string; input?: unknown }) =>
  issue.code !== 'invalid_type'
    ? undefined
    : issue.input === undefined
      ? 'required'
      : `must be ${what}`;

// Counts need not be integers: Prometheus' increase() extrapolates, so recorded buckets often
// hold fractions; the count test is defined for real counts.
const count = z.number({ error: needs('a number') }).min(0, { error: 'must not be negative' });

const side = z
  .object(
    { requests: count, errors: count, slow: count },
    { error: needs('an object {requests, errors, slow}') },
  )
  .strict()
  .superRefine((value, ctx) => {
    for (const field of ['errors', 'slow'] as const)
      if (value[field] > value.requests)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `must not exceed requests (${value[field]} > ${value.requests})`,
        });
  });

const bucket = z
  .object(
    { t: z.number({ error: needs('a number of seconds') }), canary: side, primary: side },
    { error: needs('an object {t, canary, primary}') },
  )
  .strict();

const spec = z
  .object(
    {
      type: z.literal('compare', { error: 'must be "compare" (the judge replay runs)' }).optional(),
      alpha: z
        .number({ error: needs('a number') })
        .gt(0)
        .lt(1)
        .optional(),
      tolerance: z
        .number({ error: needs('a number') })
        .gt(1)
        .optional(),
      k: z
        .number({ error: needs('a number') })
        .gt(0)
        .optional(),
      intervalK: z
        .number({ error: needs('a number') })
        .gt(0)
        .optional(),
      rareMargin: z
        .number({ error: needs('a number') })
        .min(0)
        .lt(1)
        .optional(),
      minRequests: z
        .number({ error: needs('a number') })
        .min(0)
        .optional(),
      metrics: z
        .array(z.enum(REPLAY_METRICS as [string, ...string[]]))
        .min(1)
        .refine((list) => new Set(list).size === list.length, { error: 'must not repeat a metric' })
        .optional(),
      stepStarts: z.array(z.number()).optional(),
    },
    { error: needs('an object (an empty one means the default judge)') },
  )
  .strict();

const input = z
  .object(
    {
      spec,
      buckets: z.array(bucket, { error: needs('an array of buckets') }).min(1, {
        error: 'must hold at least one bucket',
      }),
    },
    { error: needs('an object {spec, buckets}') },
  )
  .strict()
  .superRefine((value, ctx) => {
    for (let i = 1; i < value.buckets.length; i++) {
      const t = value.buckets[i]?.t as number;
      const before = value.buckets[i - 1]?.t as number;
      if (!(t > before))
        ctx.addIssue({
          code: 'custom',
          path: ['buckets', i, 't'],
          message: `must be greater than the previous bucket's (${t} ≤ ${before})`,
        });
    }
  });

export interface ReplayInput {
  spec: ReplaySpec;
  buckets: ReplayBucket[];
}

/**
 * Validates what `kanari judge replay` reads; missing spec fields take DEFAULT_REPLAY_SPEC's
 * values. Problems come back as data, one per bad field, in the order of the input.
 */
export const parseReplayInput = (
  value: unknown,
): { ok: true; input: ReplayInput } | { ok: false; problems: SpecProblem[] } => {
  const result = input.safeParse(value);
  if (!result.success)
    return {
      ok: false,
      problems: result.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    };
  const { type: _type, metrics, ...given } = result.data.spec;
  return {
    ok: true,
    input: {
      spec: {
        ...DEFAULT_REPLAY_SPEC,
        ...given,
        metrics: (metrics ?? DEFAULT_REPLAY_SPEC.metrics) as ReplaySpec['metrics'],
      },
      buckets: result.data.buckets,
    },
  };
};
