import * as z from 'zod';

/** The body of `POST /rollouts/{cluster}/{namespace}/{name}/actions/{action}`. */
export const actionBodySchema = z
  .object({
    reason: z
      .string({ error: 'required: say why you act' })
      .trim()
      .min(1, 'required: say why you act')
      .max(1000, 'at most 1000 characters'),
    full: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

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
