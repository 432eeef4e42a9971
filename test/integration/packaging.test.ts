import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const OSLS = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const ROOT = new URL('../..', import.meta.url).pathname;

describe('packaging with osls (offline, no account)', () => {
  let out: string;
  let template: {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const functions = Object.keys(
    (parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { functions: object }).functions,
  );

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'kanari-package-'));
    await promisify(execFile)(
      process.execPath,
      [OSLS, 'package', '--stage', 'ci', '--package', out],
      {
        cwd: ROOT,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
        timeout: 180_000,
      },
    );
    template = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
  }, 200_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('bundles every function of serverless.yml into its own zip', () => {
    expect(functions).toEqual(expect.arrayContaining(['analyze', 'shift-traffic', 'console']));
    for (const fn of functions) {
      const zip = join(out, `${fn}.zip`);
      expect(existsSync(zip), `${fn}.zip`).toBe(true);
      expect(statSync(zip).size).toBeGreaterThan(10_000);
    }
  });

  it("puts the console's browser bundle in the console function's zip", () => {
    // Entry names are stored uncompressed in a zip, so the bytes name the files it holds.
    const zip = readFileSync(join(out, 'console.zip'));
    expect(zip.includes('dist/console/app.js')).toBe(true);
    expect(zip.includes('dist/console/app.css')).toBe(true);
    expect(readFileSync(join(out, 'analyze.zip')).includes('dist/console/app.js')).toBe(false);
  });

  it('deploys the functions on nodejs22.x with the table, the bus and the traffic rule', () => {
    const lambdas = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(lambdas.length).toBe(functions.length);
    expect(new Set(lambdas.map((l) => l.Properties.Runtime))).toEqual(new Set(['nodejs22.x']));
    const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(table?.Properties.TableName).toBe('kanari-ci');
    expect(
      ((table?.Properties.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).map(
        (i) => i.IndexName,
      ),
    ).toContain('due');
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map((r) =>
      JSON.stringify(r.Properties.EventPattern ?? r.Properties.ScheduleExpression),
    );
    expect(
      patterns.some(
        (p) => p.includes('Step Promotion Requested') && p.includes('Rollback Requested'),
      ),
    ).toBe(true);
    expect(patterns.some((p) => p.includes('rate(1 minute)'))).toBe(true);
  });
});
