import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** Where `npm run build:console` writes the page's script and stylesheet, under the package root. */
export const CONSOLE_DIST = join('dist', 'console');
export const CONSOLE_ENTRY = join('console', 'client', 'main.ts');

/**
 * The esbuild options for the browser bundle: one IIFE (app.js) and the CSS it imports
 * (app.css, uPlot's included). `root` is the package root.
 */
export const consoleBuildOptions = (root: string): BuildOptions => ({
  absWorkingDir: root,
  entryPoints: { app: CONSOLE_ENTRY },
  outdir: CONSOLE_DIST,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'silent',
});

/**
 * Package roots to look in: the Lambda task root, the working directory (osls offline runs
 * there) and the one this module sits in when it runs from source.
 */
export const packageRoots = (): string[] =>
  [
    process.env.LAMBDA_TASK_ROOT,
    process.cwd(),
    fileURLToPath(new URL('..', import.meta.url)),
  ].filter((root): root is string => typeof root === 'string' && root.length > 0);

/** The first root with a built bundle, or with the sources to build one. */
export const findRoot = (what: 'dist' | 'source'): string | undefined =>
  packageRoots().find((root) =>
    existsSync(join(root, what === 'dist' ? join(CONSOLE_DIST, 'app.js') : CONSOLE_ENTRY)),
  );
