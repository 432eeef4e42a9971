import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIST, consoleBuildOptions, findRoot } from './bundle.ts';

export interface ConsoleAssets {
  js: string;
  css: string;
  /** A short content hash, to tell the browser a new bundle is a new URL. */
  version: string;
}

export class ConsoleBundleMissingError extends Error {}

const versionOf = (js: string, css: string): string =>
  createHash('sha256').update(js).update(css).digest('hex').slice(0, 12);

const fromDist = (root: string): ConsoleAssets => {
  const js = readFileSync(join(root, CONSOLE_DIST, 'app.js'), 'utf8');
  const css = readFileSync(join(root, CONSOLE_DIST, 'app.css'), 'utf8');
  return { js, css, version: versionOf(js, css) };
};

/** A checkout without `npm run build:console`: bundle in memory with esbuild (a devDependency). */
const fromSource = async (root: string): Promise<ConsoleAssets> => {
  let esbuild: typeof import('esbuild');
  // A specifier in a variable: the Lambda bundler leaves it alone instead of bundling esbuild.
  const specifier = 'esbuild';
  try {
    esbuild = await import(specifier);
  } catch {
    throw new ConsoleBundleMissingError(
      'the console bundle is missing (dist/console/app.js): run `npm run build:console` before packaging',
    );
  }
  const result = await esbuild.build({ ...consoleBuildOptions(root), write: false });
  const text = (name: string) =>
    result.outputFiles.find((file) => file.path.endsWith(name))?.text ?? '';
  const js = text('app.js');
  const css = text('app.css');
  return { js, css, version: versionOf(js, css) };
};

let loaded: Promise<ConsoleAssets> | undefined;

/** The console's script and stylesheet, read once per cold start. */
export const consoleAssets = (): Promise<ConsoleAssets> => {
  loaded ??= (async () => {
    const dist = findRoot('dist');
    if (dist) return fromDist(dist);
    const source = findRoot('source');
    if (source) return fromSource(source);
    throw new ConsoleBundleMissingError(
      'the console bundle is missing (dist/console/app.js): run `npm run build:console`',
    );
  })().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
};
