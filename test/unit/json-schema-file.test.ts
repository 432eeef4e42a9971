import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderSchema, SCHEMA_FILE } from '../../scripts/export-schema.ts';
import { seedSpec } from '../support/fixtures.ts';

describe('the exported JSON Schema for editors', () => {
  it('is up to date with the zod schema (run npm run schema after changing it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderSchema());
  });

  it('accepts a valid spec and names the bad field of an invalid one', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    expect(validate(seedSpec())).toBe(true);
    expect(
      validate({ ...seedSpec(), analysis: { ...seedSpec().analysis, threshold: 'many' } }),
    ).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/analysis/threshold');
  });
});
