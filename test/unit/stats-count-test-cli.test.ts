import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/kanari.js', import.meta.url));

/** Runs the real binary with `input` on stdin, as a user would. */
const countTest = (input: string) => {
  const run = spawnSync(process.execPath, [BIN, 'stats', 'count-test'], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

// Expected figures: log M by the exact product Π(a+i)Π(b+j)/Π(a+b+m) − X log θ0 − (N−X) log(1−θ0).
const exactLogM = (x: number, n: number, theta0: number, k: number): number => {
  const a = k * theta0;
  const b = k * (1 - theta0);
  let s = 0;
  for (let i = 0; i < x; i++) s += Math.log(a + i);
  for (let j = 0; j < n - x; j++) s += Math.log(b + j);
  for (let m = 0; m < n; m++) s -= Math.log(a + b + m);
  return s - x * Math.log(theta0) - (n - x) * Math.log1p(-theta0);
};

// Each case starts a node process; a loaded machine can take seconds.
describe('kanari stats count-test', { timeout: 60_000 }, () => {
  it('prints one JSON line with the four figures, k and alpha defaulting to 100 and 0.01', () => {
    const run = countTest('{"canaryEvents":12,"totalEvents":40,"canaryShare":0.1}');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out).sort()).toEqual(['logM', 'logMOneSided', 'p', 'rateRatioUpper']);
    expect(out.logM).toBeCloseTo(exactLogM(12, 40, 0.1, 100), 9);
    expect(out.p).toBeCloseTo(Math.exp(-exactLogM(12, 40, 0.1, 100)), 9);
    expect(out.rateRatioUpper).toBeGreaterThan(1);
  });

  it('prints null for an unbounded rate ratio (N = 0)', () => {
    const run = countTest(
      '{"canaryEvents":0,"totalEvents":0,"canaryShare":0.2,"k":50,"alpha":0.05}',
    );
    expect(JSON.parse(run.stdout)).toEqual({
      logM: 0,
      logMOneSided: 0,
      p: 1,
      rateRatioUpper: null,
    });
  });

  for (const [input, field] of [
    ['{"canaryEvents":1,', 'not valid JSON'],
    ['{"canaryEvents":-1,"totalEvents":3,"canaryShare":0.1}', 'canaryEvents'],
    [
      '{"canaryEvents":4,"totalEvents":3,"canaryShare":0.1}',
      'canaryEvents: must not exceed totalEvents',
    ],
    ['{"canaryEvents":1,"canaryShare":0.1}', 'totalEvents'],
    ['{"canaryEvents":1,"totalEvents":3,"canaryShare":0}', 'canaryShare'],
    ['{"canaryEvents":1,"totalEvents":3,"canaryShare":0.1,"alpha":2}', 'alpha'],
  ]) {
    it(`refuses ${input} in one line naming ${field}`, () => {
      const run = countTest(input as string);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(field);
      expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    });
  }
});
