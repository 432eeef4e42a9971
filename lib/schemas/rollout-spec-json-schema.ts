import * as z from './mini.ts';
import { rolloutSpecSchema } from './rollout-spec.ts';

/**
 * JSON Schema for editors (`npm run schema`). Apart from rollout-spec.ts because the console
 * imports that module with `import()`, and esbuild keeps every export of a module imported so:
 * here, zod's JSON Schema generator stays out of the console's bundle.
 */
export const rolloutSpecJsonSchema = (): Record<string, unknown> =>
  z.toJSONSchema(rolloutSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
