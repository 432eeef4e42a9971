import * as z from './mini.ts';

const text = z.string().check(z.minLength(1));

/**
 * Where a secret lives, in a setting's JSON: an SSM SecureString in AWS (`ssmParameter`) or an
 * environment variable locally (`secretEnv`); never the secret itself.
 */
export const secretRefFields = { secretEnv: z.optional(text), ssmParameter: z.optional(text) };

/** Adds the issue of a reference that names both places, or neither. */
export const checkOneSecret = (
  ref: { secretEnv?: string; ssmParameter?: string },
  ctx: { addIssue(issue: { code: 'custom'; message: string }): void },
): void => {
  if ((ref.secretEnv === undefined) === (ref.ssmParameter === undefined))
    ctx.addIssue({ code: 'custom', message: 'needs exactly one of secretEnv and ssmParameter' });
};
