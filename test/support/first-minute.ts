import { expect } from 'vitest';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What the sandbox's first minute must print: for each service a starting line and a ready
 * line with its time, in that order; the lines to paste; and no Node warning blocks.
 */
export const expectFirstMinute = (output: string, services: string[]): void => {
  for (const service of services) {
    const name = escapeRegExp(service);
    const starting = output.search(new RegExp(`^ {2}… ${name} +starting$`, 'm'));
    const ready = output.search(new RegExp(`^ {2}✓ ${name} +ready in \\d+(\\.\\d)? m?s\\b`, 'm'));
    expect(starting, `a starting line for ${service}`).toBeGreaterThanOrEqual(0);
    expect(ready, `a ready line for ${service}`).toBeGreaterThan(starting);
  }
  expect(output).toMatch(/^ {2}✓ Sandbox +ready in \d+\.\d s$/m);
  expect(output).toMatch(
    /^ {2}export KANARI_URL=http:\/\/127\.0\.0\.1:\d+ KANARI_TOKEN=[0-9a-f]{32}$/m,
  );
  expect(output).toMatch(/^Console: http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32}$/m);
  // The token goes in the fragment only, never in a query string.
  expect(output).not.toMatch(/[?&]token=/);
  // Node's own warning lines: `(node:1234) Warning: …`, `(node:1234) [DEP0040] DeprecationWarning: …`.
  expect(output).not.toMatch(
    /NodeVersionSupportWarning|EBADENGINE|\(node:\d+\) (\[\w+\] )?\w*Warning:/,
  );
};
