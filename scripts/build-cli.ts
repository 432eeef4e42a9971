/**
 * npm run build:cli: bundles the kanari command into dist/cli/kanari.js, so that it starts
 * without compiling TypeScript. Packages stay external (node_modules is there at run time),
 * except the two every start needs, commander and yaml: inlined, they load in about half the
 * time (Node reads one file, not dozens of CommonJS modules). What only some commands need
 * (zod, the AWS SDK, the statistics) is split into chunks that load when those commands run.
 *
 * The sandbox is not bundled: it reads files beside its sources (infra/, the emulator's CRDs),
 * so `kanari sandbox` loads cli/commands/sandbox.ts through tsx when it runs, and only then.
 *
 * Each file is written beside its place and renamed into it, chunks before the entry, so a
 * `kanari` started during a build (tests build it too) never reads half a file.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_BUNDLE = fileURLToPath(new URL('../dist/cli/kanari.js', import.meta.url));
const OUT = dirname(CLI_BUNDLE);

/** The packages bundled in; every other one is imported from node_modules. */
const INLINE = new Set(['commander', 'yaml']);

/**
 * `import('./commands/sandbox.ts')` stays a dynamic import of the source file, and packages
 * other than INLINE stay imports.
 */
const externals: Plugin = {
  name: 'kanari-externals',
  setup(builder) {
    builder.onResolve({ filter: /\/commands\/sandbox\.ts$/ }, () => ({
      path: '../../cli/commands/sandbox.ts',
      external: true,
    }));
    builder.onResolve({ filter: /^[^./]/ }, ({ path }) => {
      const parts = path.split('/');
      const name = path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      return INLINE.has(name ?? '') ? undefined : { path, external: true };
    });
  },
};

/** Builds the bundle; returns its path. `clean` removes chunks of earlier builds. */
export const buildCli = async ({ clean = false } = {}): Promise<string> => {
  const { outputFiles } = await build({
    absWorkingDir: ROOT,
    entryPoints: { kanari: 'cli/main.ts' },
    outdir: OUT,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externals],
    // The inlined CommonJS packages require Node's own modules.
    banner: {
      js: "import { createRequire as kanariRequire } from 'node:module'; const require = kanariRequire(import.meta.url);",
    },
    logLevel: 'warning',
    legalComments: 'none',
    write: false,
  });
  const ordered = [...outputFiles].sort(
    (a, b) => Number(a.path === CLI_BUNDLE) - Number(b.path === CLI_BUNDLE),
  );
  for (const file of ordered) {
    await mkdir(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  if (clean) {
    const kept = new Set(outputFiles.map((file) => file.path));
    const chunks = join(OUT, 'chunks');
    for (const name of await readdir(chunks))
      if (!kept.has(join(chunks, name))) await rm(join(chunks, name), { force: true });
  }
  return CLI_BUNDLE;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildCli({ clean: true });
  console.log(`built ${out.slice(ROOT.length)}`);
}
