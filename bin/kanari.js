#!/usr/bin/env node
// The kanari CLI. `npm run build` (and so `npm ci`, through prepare) bundles it into
// dist/cli/kanari.js, which starts without compiling TypeScript; without the bundle (a
// checkout before its first build) it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

// `kanari list | head -1`: a reader that stops early is no error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

const bundle = new URL('../dist/cli/kanari.js', import.meta.url);
let main;
if (existsSync(bundle) && !process.env.KANARI_FROM_SOURCE) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
