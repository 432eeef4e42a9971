// Writes the rollout spec's JSON Schema for editors: `npm run schema`.
import { writeFileSync } from 'node:fs';
import { rolloutSpecJsonSchema } from '../lib/schemas/rollout-spec-json-schema.ts';

export const SCHEMA_FILE = new URL('../schemas/rollout-spec.schema.json', import.meta.url);

export const renderSchema = (): string =>
  `${JSON.stringify({ $id: 'https://kanari.dev/schemas/rollout-spec.schema.json', title: 'kanari rollout spec', ...rolloutSpecJsonSchema() }, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}
