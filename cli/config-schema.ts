import * as z from 'zod';

/** The config file: contexts, and the older top-level url/token/auth/region. */
const contextSchema = z
  .object({
    name: z.string().min(1),
    url: z.string().min(1).optional(),
    cluster: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
  })
  .strict();

export const configFileSchema = z
  .object({
    url: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    auth: z.enum(['token', 'sigv4']).optional(),
    region: z.string().min(1).optional(),
    'current-context': z.string().min(1).optional(),
    contexts: z.array(contextSchema).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
/** A named default: where the API is, and the cluster and namespace a bare name means. */
export type ConfigContext = z.infer<typeof contextSchema>;
