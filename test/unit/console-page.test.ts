import { Script } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { consoleBuildOptions } from '../../console/bundle.ts';
import { CONSOLE_CSP, consolePage } from '../../console/page.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const page = consolePage('abc123');

describe('the console page', () => {
  it('has no inline script or style: only the bundle from its own origin', () => {
    expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="app.js?v=abc123" defer>',
    ]);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("style-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
  });

  it('has a button and a confirmation dialog that asks a reason for every action', () => {
    for (const action of ['rollback', 'pause', 'resume', 'promote', 'abort', 'finalize'])
      expect(page).toContain(`data-action="${action}"`);
    expect(page).toMatch(/<dialog id="confirm"[^>]*aria-labelledby="confirm-title"/);
    expect(page).toMatch(/<textarea id="reason"[^>]*required/);
    expect(page).toMatch(/<p id="toast"[^>]*role="status"/);
  });

  it('bundles console/client into one script that parses, and never parses data as HTML', async () => {
    const result = await build({ ...consoleBuildOptions(ROOT), write: false, minify: false });
    const js = result.outputFiles.find((file) => file.path.endsWith('app.js'))?.text ?? '';
    const css = result.outputFiles.find((file) => file.path.endsWith('app.css'))?.text ?? '';
    expect(() => new Script(js)).not.toThrow();
    expect(css).toContain('.uplot');
    const own = await build({
      ...consoleBuildOptions(ROOT),
      write: false,
      minify: false,
      external: ['uplot'],
    });
    const ownJs = own.outputFiles.find((file) => file.path.endsWith('app.js'))?.text ?? '';
    expect(ownJs).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
  });
});
