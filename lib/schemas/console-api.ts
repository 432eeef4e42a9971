import * as z from './mini.ts';

/** The body of `POST /rollouts/{cluster}/{namespace}/{name}/actions/{action}`. */
export const actionBodySchema = z.strictObject({
  reason: z
    .string({ error: 'required: say why you act' })
    .check(
      z.trim(),
      z.minLength(1, 'required: say why you act'),
      z.maxLength(1000, 'at most 1000 characters'),
    ),
  full: z.optional(z.boolean({ error: 'must be true or false' })),
});

export type ActionBody = z.infer<typeof actionBodySchema>;

export interface BodyProblem {
  path: string;
  message: string;
}

/** Validates an action body; problems name the field, e.g. `reason: required: say why you act`. */
export const parseActionBody = (
  input: unknown,
  action: string,
): { ok: true; body: ActionBody } | { ok: false; problems: BodyProblem[] } => {
  const result = actionBodySchema.safeParse(input);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(body)',
        message:
          issue.code === 'unrecognized_keys'
            ? `unknown field ${issue.keys.join(', ')}; expected reason and, for promote, full`
            : issue.message,
      })),
    };
  }
  if (result.data.full !== undefined && action !== 'promote') {
    return { ok: false, problems: [{ path: 'full', message: 'only promote takes full' }] };
  }
  return { ok: true, body: result.data };
};
