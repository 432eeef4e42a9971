import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of STYLE.md as a test: a pure domain, use cases behind ports, one adapter
 * per outside system, and handlers that nothing else imports.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Production code; tests may import anything, handlers included. */
const SOURCES = ['lib', 'functions', 'cli', 'console', 'sandbox', 'bench', 'scripts'];
/** Packages that compute and do no I/O: the domain may use them. */
const PURE_PACKAGES = [/^@stdlib\//, /^re2js$/];

type Files = Record<string, string>;

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Each file's imports: repo-relative paths for relative specifiers, else the package name. */
const importsOf = (file: string, source: string): string[] =>
  [...source.matchAll(IMPORT)].map((match) => {
    const specifier = (match[1] ?? match[2]) as string;
    return specifier.startsWith('.') ? normalize(join(dirname(file), specifier)) : specifier;
  });

const under = (path: string, folder: string) => path.startsWith(`${folder}/`);
const adapterOf = (path: string) => /^lib\/adapters\/([^/]+)\//.exec(path)?.[1];

/** Every import that breaks a rule, as `file → import: rule`. */
const violations = (files: Files): string[] =>
  Object.entries(files).flatMap(([file, source]) =>
    importsOf(file, source).flatMap((target) => {
      const relativeTarget = target.startsWith('lib/') || SOURCES.some((f) => under(target, f));
      const broken = (rule: string) => [`${file} → ${target}: ${rule}`];
      if (under(target, 'functions') && !under(file, 'functions'))
        return broken('nothing imports a handler');
      if (under(file, 'lib/domain')) {
        if (
          relativeTarget ? !under(target, 'lib/domain') : !PURE_PACKAGES.some((p) => p.test(target))
        )
          return broken('lib/domain imports only lib/domain and pure packages');
      }
      if (under(file, 'lib/ports') && !(under(target, 'lib/domain') || under(target, 'lib/ports')))
        return broken('lib/ports imports only lib/domain and lib/ports');
      if (under(file, 'lib/app')) {
        if (!relativeTarget)
          return broken('lib/app imports no package or SDK: it goes through ports');
        if (!['lib/domain', 'lib/ports', 'lib/app'].some((folder) => under(target, folder)))
          return broken('lib/app imports only lib/domain, lib/ports and lib/app');
      }
      const adapter = adapterOf(file);
      if (adapter) {
        if (under(target, 'lib/app')) return broken('an adapter imports no use case');
        const other = adapterOf(target);
        if (other && other !== adapter) return broken('an adapter imports no other adapter');
      }
      return [];
    }),
  );

const sourceFiles = (): Files => {
  const files: Files = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(entry.name)) files[path] = readFileSync(join(ROOT, path), 'utf8');
    }
  };
  for (const folder of SOURCES) walk(folder);
  return files;
};

describe('architecture: the import rules', () => {
  it('holds for every source file', () => {
    const files = sourceFiles();
    expect(Object.keys(files).length).toBeGreaterThan(100);
    expect(violations(files)).toEqual([]);
  });

  it('catches each kind of broken rule', () => {
    const found = violations({
      'lib/domain/a.ts':
        "import { x } from '../adapters/dynamodb/index.ts';\nimport fs from 'node:fs';",
      'lib/domain/b.ts': "import { RE2JS } from 're2js';\nimport { y } from './a.ts';",
      'lib/ports/p.ts': "import type { Z } from '../app/deps.ts';",
      'lib/app/u.ts': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      'lib/app/v.ts': "export { s } from '../schemas/config.ts';",
      'lib/adapters/dynamodb/s.ts': "import { k } from '../kubernetes/index.ts';",
      'lib/adapters/kubernetes/t.ts': "const m = await import('../../app/measure.ts');",
      'cli/main.ts': "import { handler } from '../functions/console.ts';",
      'functions/console.ts': "import { core } from './shared/wiring.ts';",
    });
    expect(found).toEqual([
      'lib/domain/a.ts → lib/adapters/dynamodb/index.ts: lib/domain imports only lib/domain and pure packages',
      'lib/domain/a.ts → node:fs: lib/domain imports only lib/domain and pure packages',
      'lib/ports/p.ts → lib/app/deps.ts: lib/ports imports only lib/domain and lib/ports',
      'lib/app/u.ts → @aws-sdk/client-dynamodb: lib/app imports no package or SDK: it goes through ports',
      'lib/app/v.ts → lib/schemas/config.ts: lib/app imports only lib/domain, lib/ports and lib/app',
      'lib/adapters/dynamodb/s.ts → lib/adapters/kubernetes/index.ts: an adapter imports no other adapter',
      'lib/adapters/kubernetes/t.ts → lib/app/measure.ts: an adapter imports no use case',
      'cli/main.ts → functions/console.ts: nothing imports a handler',
    ]);
  });

  it('reads the relative paths as the repo sees them', () => {
    expect(importsOf('lib/app/x.ts', "import type { A } from '../domain/state.ts';")).toEqual([
      'lib/domain/state.ts',
    ]);
    expect(importsOf('lib/adapters/k/y.ts', "import x from '../../../sandbox/z.ts'")).toEqual([
      'sandbox/z.ts',
    ]);
  });

  it('keeps the AWS SDK clients out of the Lambda bundles: lib and functions import their types only', () => {
    // DynamoDB, EventBridge, CloudWatch and SSM are called over lib/adapters/aws-json.ts; a
    // value import of a client would put it back in every bundle that reaches it.
    const CLIENT = /^@aws-sdk\/(client-|lib-dynamodb$)/;
    const VALUE_IMPORT = /(?:^|[\s;])import\s(?!type\s)[^'";]*?\sfrom\s['"]([^'"]+)['"]/g;
    const files = Object.entries(sourceFiles()).filter(
      ([file]) => under(file, 'lib') || under(file, 'functions'),
    );
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap(([file, source]) =>
      [...source.matchAll(VALUE_IMPORT)]
        .map((match) => match[1] as string)
        .filter((specifier) => CLIENT.test(specifier))
        .map((specifier) => `${file} → ${specifier}`),
    );
    expect(found).toEqual([]);
    expect(
      [..."import { DynamoDBClient } from '@aws-sdk/client-dynamodb';".matchAll(VALUE_IMPORT)]
        .length,
    ).toBe(1);
    expect([..."import type { X } from '@aws-sdk/lib-dynamodb';".matchAll(VALUE_IMPORT)]).toEqual(
      [],
    );
  });
});
