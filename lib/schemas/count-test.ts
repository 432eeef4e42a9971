import * as z from 'zod';

/** `kanari stats count-test` input; k defaults to 100 and alpha to 0.01, as in the compare judge. */
export const countTestInputSchema = z
  .strictObject({
    canaryEvents: z.int().min(0),
    totalEvents: z.int().min(0),
    canaryShare: z.number().gt(0).lt(1),
    k: z.number().gt(0).finite().default(100),
    alpha: z.number().gt(0).lt(1).default(0.01),
  })
  .refine((input) => input.canaryEvents <= input.totalEvents, {
    path: ['canaryEvents'],
    message: 'must not exceed totalEvents',
  });
