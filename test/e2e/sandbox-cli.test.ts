import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectFirstMinute } from '../support/first-minute.ts';
import { runCli } from '../support/run-cli.ts';

/** The project's own small VirtualService CRD, so the run also goes through `--crds`. */
const FIXTURE_CRDS = fileURLToPath(new URL('../fixtures/crds', import.meta.url));

describe('kanari sandbox (the CLI a newcomer runs)', () => {
  it('runs the errors scenario to RolledBack with --crds, prints each check live and a JSON summary last', async () => {
    const { code, stdout, stderr } = await runCli([
      'sandbox',
      '--scenario',
      'errors',
      '--json',
      '--crds',
      FIXTURE_CRDS,
    ]);
    expect(code, stderr).toBe(0);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const summary = JSON.parse(last);
    expect(summary).toMatchObject({
      rollout: 'sandbox/default/my-service',
      phase: 'RolledBack',
      finalWeights: { primary: 100, canary: 0 },
    });
    expect(summary.steps.length).toBeGreaterThanOrEqual(2);
    expect(summary.steps.at(-1)).toEqual({ weight: 10, verdict: 'fail' });
    expect(summary.ledgerEntries).toBeGreaterThanOrEqual(5);
    // With --json the live lines go to stderr, so stdout stays machine-readable.
    expect(stderr).toMatch(
      /Check at 10%: request-success-rate: canary errors [\d.]+× primary \([\d.]+% CI [\d.]+–[\d.]+\), e-value [\d.e+]+ ≥ \d+ → roll back/,
    );
    expect(stderr).toMatch(/Applied: primary 100% · canary 0% → RolledBack/);
    // The first minute: each service starting and ready with its time, the lines to paste
    // (before the rollout starts), and no Node warning blocks.
    expectFirstMinute(stderr, [
      'Kubernetes API emulator',
      'Mesh simulator',
      'Prometheus',
      'DynamoDB Local',
      'Functions (osls offline)',
      'First scrape of the mesh',
    ]);
    expect(stderr.indexOf('export KANARI_URL=')).toBeLessThan(stderr.indexOf('Started by'));
    // Measured: the JSON summary carries the start-up times, each service's within the total.
    expect(summary.startup.services.map((s: { service: string }) => s.service)).toContain(
      'Functions (osls offline)',
    );
    for (const { ms } of summary.startup.services) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(summary.startup.totalMs);
    }
    // The whole CLI run on a busy machine: longer than the project's 120 s default.
  }, 300_000);

  it('says how to install Prometheus and exits non-zero when it is missing', async () => {
    const { code, stderr, stdout } = await runCli(['sandbox', '--scenario', 'healthy'], {
      KANARI_PROMETHEUS_BINARY: '/nonexistent/prometheus',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('apt-get install -y prometheus prometheus-alertmanager');
    expect(stdout).not.toContain('rollout');
  });

  it('refuses an unknown scenario, a bad interval or an absent --crds folder with a message naming the option', async () => {
    const unknown = await runCli(['sandbox', '--scenario', 'chaos']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--scenario: unknown scenario "chaos"');
    const interval = await runCli(['sandbox', '--interval', 'soon']);
    expect(interval.code).toBe(1);
    expect(interval.stderr).toContain('--interval: "soon" is not a duration');
    const crds = await runCli(['sandbox', '--crds', '/nonexistent/crds']);
    expect(crds.code).toBe(1);
    expect(crds.stderr).toContain(
      'kanari: --crds: The CRD folder /nonexistent/crds does not exist or is not a folder',
    );
  });

  it('is the built bundle: --version is the package version, and the sandbox loads only for kanari sandbox', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await runCli(['--version'])).toEqual({
      code: 0,
      stdout: `${pkg.version}\n`,
      stderr: '',
    });
    const help = await runCli(['sandbox', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--scenario <name>');
    // Through the bundle's lazy import, the sandbox's own errors keep their one line.
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/sandbox\s+run the whole loop on this machine/);
    expect(top.stdout).toContain('6  unreachable');
  });
});
