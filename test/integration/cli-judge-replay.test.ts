import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/kanari.js', import.meta.url));

/** Runs the real `kanari judge replay` with `input` on stdin. */
const replayCli = (input: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, 'judge', 'replay'],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });

const side = (requests: number, errors: number, slow = 0) => ({ requests, errors, slow });
const buckets = (n: number, canary: ReturnType<typeof side>, primary: ReturnType<typeof side>) =>
  Array.from({ length: n }, (_, i) => ({ t: 1_700_000_000 + 10 * (i + 1), canary, primary }));
const body = (value: unknown) => JSON.stringify(value);

/** A refusal: non-zero exit, nothing on stdout, exactly one line on stderr, no stack trace. */
const expectRefusal = (run: { code: number; stdout: string; stderr: string }, line: string) => {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`kanari: ${line}\n`);
};

describe('kanari judge replay', () => {
  it('prints decisions and a final regression for a canary failing 20× as often', async () => {
    const run = await replayCli(
      body({ spec: {}, buckets: buckets(30, side(100, 20), side(900, 9)) }),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.final.verdict).toBe('regression');
    expect(out.decisions[0]).toMatchObject({ t: 1_700_000_010 });
    expect(out.decisions.map((d: { verdict: string }) => d.verdict)).toContain('regression');
    expect(Object.keys(out.decisions[0].evidence).sort()).toEqual(['errors', 'slow']);
  });

  it('does not roll back A/A traffic', async () => {
    const run = await replayCli(
      body({ spec: {}, buckets: buckets(180, side(100, 1, 1), side(900, 9, 9)) }),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).final.verdict).not.toBe('regression');
  });

  it('refuses invalid JSON in one line', async () => {
    const run = await replayCli('{"spec": {}, "buckets": [');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^kanari: stdin: invalid JSON: [^\n]+\n$/);
  });

  it('refuses errors above requests, naming the bucket and both numbers', async () => {
    const data = buckets(5, side(100, 1), side(900, 9));
    data[3] = { ...(data[3] as (typeof data)[number]), canary: side(10, 12) };
    expectRefusal(
      await replayCli(body({ spec: {}, buckets: data })),
      'buckets[3].canary.errors: must not exceed requests (12 > 10)',
    );
  });

  it('refuses a negative count', async () => {
    const data = buckets(2, side(100, 1), side(900, 9));
    data[1] = { ...(data[1] as (typeof data)[number]), primary: side(900, -1) };
    expectRefusal(
      await replayCli(body({ spec: {}, buckets: data })),
      'buckets[1].primary.errors: must not be negative',
    );
  });

  it('refuses a missing field', async () => {
    const data: unknown[] = buckets(2, side(100, 1), side(900, 9));
    data[0] = { t: 10, canary: { requests: 100, errors: 1 }, primary: side(900, 9) };
    expectRefusal(
      await replayCli(body({ spec: {}, buckets: data })),
      'buckets[0].canary.slow: required',
    );
    expectRefusal(
      await replayCli(body({ buckets: buckets(1, side(100, 1), side(900, 9)) })),
      'spec: required',
    );
  });

  it('refuses a t that does not increase', async () => {
    const data = buckets(3, side(100, 1), side(900, 9));
    data[2] = { ...(data[2] as (typeof data)[number]), t: 1_700_000_005 };
    expectRefusal(
      await replayCli(body({ spec: {}, buckets: data })),
      "buckets[2].t: must be greater than the previous bucket's (1700000005 ≤ 1700000020)",
    );
  });
});
