import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CONSOLE_PAGE } from '../../console/page.ts';

const scripts = [...CONSOLE_PAGE.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');

describe('the console page', () => {
  it('holds one inline script that parses as JavaScript', () => {
    expect(scripts).toHaveLength(1);
    expect(() => new Script(scripts[0] ?? '')).not.toThrow();
  });

  it('has a button and a confirmation dialog that asks a reason for every action', () => {
    for (const action of ['rollback', 'pause', 'resume', 'promote', 'abort', 'finalize'])
      expect(CONSOLE_PAGE).toContain(`data-action="${action}"`);
    expect(CONSOLE_PAGE).toMatch(/<dialog id="confirm"[^>]*aria-labelledby="confirm-title"/);
    expect(CONSOLE_PAGE).toMatch(/<textarea id="reason"[^>]*required/);
  });

  it('never parses data as HTML', () => {
    expect(scripts[0]).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
  });
});
