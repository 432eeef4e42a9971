import { createRequire, SourceMap } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const { ownCodeOnly } = createRequire(import.meta.url)('../../scripts/lambda-esbuild-plugins.cjs');
const ROOT = new URL('../..', import.meta.url).pathname;

/** A minified bundle of a function entry and its source map, as the Lambda build makes them. */
const bundle = async (entry: string) => {
  const result = await build({
    entryPoints: [`${ROOT}${entry}`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    sourcemap: 'external',
    sourcesContent: false,
    outfile: '/tmp/kanari-own-code/out.mjs',
    write: false,
  });
  const text = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))?.text;
  return { code: text('.mjs') ?? '', map: JSON.parse(text('.map') ?? '{}') };
};

describe('source maps of kanari code only', () => {
  it("maps every position of kanari's code as before, and nothing of node_modules to it", async () => {
    const { code, map } = await bundle('functions/shared/metrics-wiring.ts');
    const pruned = ownCodeOnly(map);
    const before = new SourceMap(map);
    const after = new SourceMap(pruned);
    let own = 0;
    let dependency = 0;
    code.split('\n').forEach((line, row) => {
      for (let column = 0; column < line.length; column += 13) {
        const was = before.findEntry(row, column) as { originalSource?: string };
        const is = after.findEntry(row, column) as { originalSource?: string };
        if (was.originalSource && !was.originalSource.includes('node_modules/')) {
          own++;
          expect(is).toEqual(was);
        } else if (was.originalSource) {
          dependency++;
          expect(is.originalSource ?? '').not.toMatch(/\/(lib|functions)\//);
        }
      }
    });
    expect(own).toBeGreaterThan(100);
    expect(dependency).toBeGreaterThan(100);
    expect(pruned.sources).toEqual(map.sources);
    expect(pruned.names.length).toBeLessThan(map.names.length);
    expect(JSON.stringify(pruned).length).toBeLessThan(JSON.stringify(map).length / 2);
  });
});
