import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CONSOLE_DIST, consoleBuildOptions } from '../console/bundle.ts';

/** Bundles the console's browser code (console/client) into dist/console/app.js and app.css. */
const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const result = await build({ ...consoleBuildOptions(root), metafile: true });
const sizes = Object.entries(result.metafile?.outputs ?? {})
  .map(([file, output]) => `${file} ${(output.bytes / 1024).toFixed(1)} KiB`)
  .join(', ');
console.log(
  `console bundle in ${join(CONSOLE_DIST)}: ${sizes} (${Math.round(performance.now() - started)} ms)`,
);
