/**
 * npx tsx bench/console.ts: what the console's browser bundle costs. Prints the size of
 * app.js and app.css (raw and gzip), how much of app.js is uPlot, and the median time of an
 * esbuild build (the cold-start fallback when dist/console is missing does the same work).
 * Option: --runs N (default 5). A benchmark, not a test: nothing in the suite runs it.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { consoleBuildOptions } from '../console/bundle.ts';

const at = process.argv.indexOf('--runs');
const runs = Number(at >= 0 ? process.argv[at + 1] : 5);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs must be a positive integer\n');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const times: number[] = [];
let result: Awaited<ReturnType<typeof build>> | undefined;
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  result = await build({ ...consoleBuildOptions(root), write: false, metafile: true });
  times.push(performance.now() - started);
}
if (!result) throw new Error('no build ran');
const file = (name: string) => result?.outputFiles?.find((f) => f.path.endsWith(name));
const js = file('app.js')?.contents ?? new Uint8Array();
const css = file('app.css')?.contents ?? new Uint8Array();
const inputs =
  Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint)?.inputs ?? {};
const uplot = Object.entries(inputs)
  .filter(([path]) => path.includes('node_modules/uplot/'))
  .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
const figures = {
  appJs: { bytes: js.byteLength, gzip: gzipSync(js).byteLength, uplotBytes: uplot },
  appCss: { bytes: css.byteLength, gzip: gzipSync(css).byteLength },
  buildMs: { median: Math.round(median), runs },
};
console.log(
  `app.js  ${kib(figures.appJs.bytes)} (gzip ${kib(figures.appJs.gzip)}), of which uPlot ${kib(uplot)}`,
);
console.log(`app.css ${kib(figures.appCss.bytes)} (gzip ${kib(figures.appCss.gzip)})`);
console.log(`esbuild build: median ${figures.buildMs.median} ms over ${runs} runs`);
console.log(JSON.stringify(figures));
