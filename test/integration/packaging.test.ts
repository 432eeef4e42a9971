import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readZip } from '../support/zip.ts';

const OSLS = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const ROOT = new URL('../..', import.meta.url).pathname;

/** The repository files `file` imports statically, transitively (`import()` and types left out). */
const staticImports = (file: string, seen = new Set<string>()): string[] => {
  const source = readFileSync(join(ROOT, file), 'utf8');
  for (const [, specifier] of source.matchAll(
    /^(?:import|export) (?!type )[^;]*? from '(\.[^']+)'/gm,
  )) {
    const target = normalize(join(dirname(file), specifier as string));
    if (!seen.has(target)) {
      seen.add(target);
      staticImports(target, seen);
    }
  }
  return [...seen];
};

describe('packaging with osls (offline, no account)', () => {
  let out: string;
  let bundles: Record<string, Map<string, Buffer>>;
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
    bundles = Object.fromEntries(
      functions.map((fn) => [fn, readZip(readFileSync(join(out, `${fn}.zip`)))]),
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

  /** The files a function's bundle was built from, as its source map lists them. */
  const sourcesOf = (fn: string): string[] => {
    const map = bundles[fn]?.get(`functions/${fn}.mjs.map`);
    if (!map) throw new Error(`${fn}.zip holds no source map`);
    return (JSON.parse(map.toString('utf8')) as { sources: string[] }).sources;
  };
  const KUBERNETES = /lib\/adapters\/kubernetes\/|@kubernetes\/client-node/;
  const PROMETHEUS = /lib\/adapters\/prometheus\//;

  it('minifies each bundle, keeps its source map (without sources) and the require banner', () => {
    for (const fn of functions) {
      const code = bundles[fn]?.get(`functions/${fn}.mjs`)?.toString('utf8') ?? '';
      expect(code.length, fn).toBeGreaterThan(10_000);
      // Minified: dense code, a few percent whitespace (strings and keywords); esbuild's
      // unminified bundle, one indented statement a line, is about a quarter whitespace.
      expect((code.match(/\s/g)?.length ?? 0) / code.length, fn).toBeLessThan(0.1);
      expect(code.startsWith("import { createRequire } from 'node:module';"), fn).toBe(true);
      expect(code.trimEnd().endsWith(`//# sourceMappingURL=${fn}.mjs.map`), fn).toBe(true);
      const map = JSON.parse(bundles[fn]?.get(`functions/${fn}.mjs.map`)?.toString('utf8') ?? '{}');
      expect(map.sources, fn).toContain(`../../../functions/${fn}.ts`);
      expect(map.sourcesContent, fn).toBeUndefined();
    }
  });

  it('leaves the Kubernetes client out of analyze and Prometheus out of shift-traffic', () => {
    expect(sourcesOf('analyze').some((s) => PROMETHEUS.test(s))).toBe(true);
    expect(sourcesOf('analyze').filter((s) => KUBERNETES.test(s))).toEqual([]);
    expect(sourcesOf('shift-traffic').some((s) => KUBERNETES.test(s))).toBe(true);
    expect(sourcesOf('shift-traffic').filter((s) => PROMETHEUS.test(s))).toEqual([]);
    for (const fn of ['alerts', 'cloudwatch-alarm'])
      expect(sourcesOf(fn).filter((s) => KUBERNETES.test(s) || PROMETHEUS.test(s))).toEqual([]);
  });

  it('builds every schema a function parses with zod/mini, and no function bundles classic zod', () => {
    // Classic zod is three times zod/mini's code and import time (docs/scale.md). Each zod
    // class is made by name, and the name survives minification: "ZodObject" or "ZodMiniObject".
    const code = (fn: string) => bundles[fn]?.get(`functions/${fn}.mjs`)?.toString('utf8') ?? '';
    for (const fn of functions) {
      expect(code(fn), fn).toContain('"ZodMiniObject"');
      expect(code(fn).includes('"ZodObject"'), fn).toBe(false);
    }
    // Only the console validates specs; the alert functions parse alerts, not specs.
    expect(sourcesOf('console')).toContain('../../../lib/schemas/rollout-spec.ts');
    for (const fn of ['analyze', 'shift-traffic', 'alerts', 'cloudwatch-alarm'])
      expect(sourcesOf(fn), fn).not.toContain('../../../lib/schemas/rollout-spec.ts');
  });

  it('bundles the console’s preflight clients but loads them only when a create or preflight asks', () => {
    // Without code splitting (one file per function) the lazily imported preflight wiring is in
    // the bundle, behind esbuild's lazy module init: nothing the console imports statically
    // reaches either client, so a cold start evaluates neither.
    const console = sourcesOf('console');
    expect(console.some((s) => KUBERNETES.test(s)) && console.some((s) => PROMETHEUS.test(s))).toBe(
      true,
    );
    const eager = staticImports('functions/console.ts');
    expect(eager).toContain('functions/shared/wiring.ts');
    expect(eager.filter((f) => KUBERNETES.test(f) || PROMETHEUS.test(f))).toEqual([]);
  });

  it('keeps every zip under a generous ceiling (sizes are the benchmark’s business)', () => {
    for (const fn of functions)
      expect(statSync(join(out, `${fn}.zip`)).size, fn).toBeLessThan(1_500_000);
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
