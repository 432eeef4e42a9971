/**
 * zod/mini, with zod's English messages: the schemas every function loads at a cold start are
 * built with it (a third of classic zod's bundle and import time; docs/scale.md). zod/mini
 * loads no locale of its own, so without this its errors would all read "Invalid input".
 */
import { config, type core, NEVER } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

/** Reports a problem from inside a `z.transform` (zod/mini's payload has no `addIssue`). */
export const transformProblem = (ctx: core.ParsePayload, message: string): never => {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
  return NEVER;
};
