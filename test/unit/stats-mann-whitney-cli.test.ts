import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMannWhitney } from '../../cli/commands/stats-mann-whitney.ts';
import { CliError } from '../../cli/errors.ts';

const BIN = fileURLToPath(new URL('../../bin/kanari.js', import.meta.url));
const kanari = (input: string) =>
  spawnSync(process.execPath, [BIN, 'stats', 'mann-whitney'], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });

const run = (input: unknown) => JSON.parse(runMannWhitney(JSON.stringify(input)));
const problem = (text: string): string => {
  try {
    runMannWhitney(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${text}`);
};

describe('kanari stats mann-whitney', () => {
  it("prints Kayenta's suite case with the defaults: two-sided, continuity, asymptotic, 95%", () => {
    const out = run({ x: [10, 20, 30, 40], y: [1, 2, 3, 4] });
    expect(Object.keys(out)).toEqual(['u', 'z', 'p', 'estimate', 'ciLow', 'ciHigh']);
    expect(out).toMatchObject({ u: 16, estimate: 22.5, ciLow: 6, ciHigh: 39 });
  });

  it('prints the exact p and no z for method exact, and null for the open end of a one-sided interval', () => {
    // 2 of the C(8, 4) = 70 arrangements are as extreme, on either side.
    const exact = run({ x: [10, 20, 30, 40], y: [1, 2, 3, 4], method: 'exact' });
    expect(exact.z).toBeNull();
    expect(exact.p).toBeCloseTo(2 / 70, 15);
    const greater = run({
      x: [10, 20, 30, 40],
      y: [1, 2, 3, 4],
      alternative: 'greater',
      method: 'exact',
    });
    expect(greater.p).toBeCloseTo(1 / 70, 15);
    expect(greater.ciHigh).toBeNull();
  });

  it('names the field for each bad input', () => {
    expect(problem('{"x":[1')).toMatch(/^stdin is not valid JSON/);
    expect(problem('{"x":[],"y":[1]}')).toBe('invalid input: x: must not be empty');
    expect(problem('{"x":[1],"y":[1e999]}')).toMatch(/^invalid input: y\[0\]: /);
    expect(problem('{"x":[1,"2"],"y":[1]}')).toMatch(/^invalid input: x\[1\]: /);
    expect(problem('{"x":[1],"y":[2],"confidence":1}')).toBe(
      'invalid input: confidence: must be strictly between 0 and 1',
    );
    expect(problem('{"x":[1],"y":[2],"confidence":0}')).toMatch(/^invalid input: confidence: /);
    expect(problem('{"x":[1],"y":[2],"alpha":0.05}')).toBe('invalid input: alpha: unknown field');
    expect(problem('{"x":[1],"y":[2],"method":"permutation"}')).toMatch(/^invalid input: method: /);
    expect(problem('{"y":[2]}')).toMatch(/^invalid input: x: /);
    expect(problem('[1, 2]')).toMatch(/^invalid input: \(root\): /);
  });

  it('runs as a real command: one JSON line on stdout; bad input exits 1 with one line on stderr', {
    timeout: 120_000,
  }, () => {
    const ok = kanari(
      '{"x":[0.8,0.83,1.89,1.04,1.45,1.38,1.91,1.64,0.73,1.46],"y":[1.15,0.88,0.9,0.74,1.21],"alternative":"greater","method":"exact"}',
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    // R's documented output for this example: W = 35, p-value = 0.1272.
    expect(JSON.parse(ok.stdout)).toMatchObject({ u: 35 });
    expect(JSON.parse(ok.stdout).p.toFixed(4)).toBe('0.1272');
    const bad = kanari('{"x":[1],"y":[],"method":"exact"}');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('kanari: invalid input: y: must not be empty\n');
  });
});
