import * as z from 'zod';
import type { MannWhitneyInput } from '../domain/stats/mann-whitney.ts';
import { formatPath } from './issue-path.ts';

const sample = z.array(z.number().finite('must be a finite number')).min(1, 'must not be empty');

/** `kanari stats mann-whitney` input; the defaults are R wilcox.test's (exact = FALSE) and scipy's. */
export const mannWhitneyInputSchema = z
  .object({
    x: sample,
    y: sample,
    alternative: z.enum(['two-sided', 'less', 'greater']).default('two-sided'),
    continuity: z.boolean().default(true),
    method: z.enum(['asymptotic', 'exact']).default('asymptotic'),
    confidence: z
      .number()
      .gt(0, 'must be strictly between 0 and 1')
      .lt(1, 'must be strictly between 0 and 1')
      .default(0.95),
  })
  .strict() satisfies z.ZodType<MannWhitneyInput, unknown>;

/** Validates the input; on failure returns one line naming the first bad field. */
export const parseMannWhitneyInput = (
  input: unknown,
): { ok: true; input: MannWhitneyInput } | { ok: false; problem: string } => {
  const result = mannWhitneyInputSchema.safeParse(input);
  if (result.success) return { ok: true, input: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, problem: 'invalid input' };
  if (issue.code === 'unrecognized_keys')
    return { ok: false, problem: `${issue.keys.join(', ')}: unknown field` };
  return { ok: false, problem: `${formatPath(issue.path)}: ${issue.message}` };
};
