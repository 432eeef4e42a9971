import { describe, expect, it } from 'vitest';
import { consoleLink, pasteLines } from '../../cli/commands/sandbox-lines.ts';
import { QUIET_NODE_ENV, quietKnownNodeWarnings } from '../../sandbox/node-warnings.ts';
import { createProgress, formatElapsed, formatProgress } from '../../sandbox/progress.ts';

/** A clock the test moves by hand. */
const manualClock = (start = 0) => {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
};

describe('formatElapsed', () => {
  it('gives milliseconds under a second and tenths of a second above', () => {
    expect(formatElapsed(0)).toBe('0 ms');
    expect(formatElapsed(849.6)).toBe('850 ms');
    expect(formatElapsed(999.4)).toBe('999 ms');
    expect(formatElapsed(999.6)).toBe('1.0 s');
    expect(formatElapsed(5_349)).toBe('5.3 s');
    expect(formatElapsed(61_250)).toBe('61.3 s');
  });

  it('never shows a negative time', () => {
    expect(formatElapsed(-3)).toBe('0 ms');
  });
});

describe('formatProgress', () => {
  it('lines the states up after the service name, with a mark that is not colour', () => {
    expect(formatProgress({ service: 'DynamoDB Local', state: 'starting' })).toBe(
      '  … DynamoDB Local            starting',
    );
    expect(formatProgress({ service: 'DynamoDB Local', state: 'ready', elapsedMs: 5_300 })).toBe(
      '  ✓ DynamoDB Local            ready in 5.3 s',
    );
    expect(formatProgress({ service: 'Prometheus', state: 'failed', elapsedMs: 30_000 })).toBe(
      '  ✗ Prometheus                failed after 30.0 s',
    );
  });

  it('adds a detail in brackets and keeps a long name whole', () => {
    expect(
      formatProgress({
        service: 'DynamoDB Local',
        state: 'ready',
        elapsedMs: 120,
        detail: 'already running; new table',
      }),
    ).toBe('  ✓ DynamoDB Local            ready in 120 ms (already running; new table)');
    const long = 'A service with a very long name indeed';
    expect(formatProgress({ service: long, state: 'starting' })).toBe(`  … ${long} starting`);
  });

  it('writes plain text: no escape codes, no carriage returns', () => {
    const line = formatProgress({ service: 'Prometheus', state: 'ready', elapsedMs: 1 });
    expect(line.includes(String.fromCharCode(27))).toBe(false);
    expect(line.includes('\r')).toBe(false);
  });
});

describe('createProgress', () => {
  it('prints a starting and a ready line per step, with the time the step took', async () => {
    const lines: string[] = [];
    const clock = manualClock(1_000);
    const progress = createProgress((line) => lines.push(line), { now: clock.now });
    const value = await progress.step('Prometheus', async () => {
      clock.advance(2_340);
      return 42;
    });
    expect(value).toBe(42);
    await progress.step(
      'DynamoDB Local',
      async () => {
        clock.advance(80);
        return 'http://127.0.0.1:8000';
      },
      (endpoint) => `at ${endpoint}`,
    );
    expect(lines).toEqual([
      '  … Prometheus                starting',
      '  ✓ Prometheus                ready in 2.3 s',
      '  … DynamoDB Local            starting',
      '  ✓ DynamoDB Local            ready in 80 ms (at http://127.0.0.1:8000)',
    ]);
    expect(progress.timings()).toEqual([
      { service: 'Prometheus', ms: 2_340 },
      { service: 'DynamoDB Local', ms: 80 },
    ]);
  });

  it('prints a failed line and rethrows the error when a step throws', async () => {
    const lines: string[] = [];
    const clock = manualClock();
    const progress = createProgress((line) => lines.push(line), { now: clock.now });
    const boom = new Error('no port');
    await expect(
      progress.step('Alertmanager', async () => {
        clock.advance(1_500);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(lines).toEqual([
      '  … Alertmanager              starting',
      '  ✗ Alertmanager              failed after 1.5 s',
    ]);
    expect(progress.timings()).toEqual([]);
  });

  it('counts the total from startedAt, and returns it with each service in whole ms', async () => {
    const lines: string[] = [];
    const clock = manualClock(700.4);
    const progress = createProgress((line) => lines.push(line), { now: clock.now, startedAt: 0 });
    await progress.step('Mesh simulator', async () => clock.advance(10.6));
    const times = progress.done('Sandbox');
    expect(lines.at(-1)).toBe('  ✓ Sandbox                   ready in 711 ms');
    expect(times).toEqual({ totalMs: 711, services: [{ service: 'Mesh simulator', ms: 11 }] });
  });
});

describe('the lines to paste', () => {
  const token = '0123456789abcdef0123456789abcdef';

  it('exports the URL and token for the CLI and links the console with the token in the fragment', () => {
    expect(pasteLines('http://127.0.0.1:41903', token)).toEqual([
      'Paste into another shell to point the kanari CLI at this sandbox:',
      `  export KANARI_URL=http://127.0.0.1:41903 KANARI_TOKEN=${token}`,
      `Console: http://127.0.0.1:41903/#token=${token}`,
    ]);
  });

  it('never puts the token in a query string, which servers and proxies log', () => {
    const link = new URL(consoleLink('http://127.0.0.1:41903/', token));
    expect(link.search).toBe('');
    expect(link.pathname).toBe('/');
    expect(link.hash).toBe(`#token=${token}`);
  });

  it('encodes a token that is not plain hex', () => {
    expect(consoleLink('http://127.0.0.1:1', 'a b&c#d')).toBe(
      'http://127.0.0.1:1/#token=a%20b%26c%23d',
    );
  });
});

describe('quietKnownNodeWarnings', () => {
  it("sets the AWS SDK's own switch for its Node version warning, and keeps what the user set", () => {
    expect(QUIET_NODE_ENV).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const env: NodeJS.ProcessEnv = {};
    quietKnownNodeWarnings(env);
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    const chosen: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    quietKnownNodeWarnings(chosen);
    expect(chosen.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
  });
});
