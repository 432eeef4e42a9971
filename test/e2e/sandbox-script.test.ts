import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

/** What npm 11 prints on Node 20 for one package that asks for Node 22. */
const ebadengine = (pkg: string) =>
  [
    'npm warn EBADENGINE Unsupported engine {',
    `npm warn EBADENGINE   package: '${pkg}',`,
    "npm warn EBADENGINE   required: { node: '>=22' },",
    "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
    'npm warn EBADENGINE }',
  ].join('\n');

const run = (cwd: string, path: string, env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      ['scripts/sandbox.sh', '--scenario', 'errors'],
      { cwd, env: { ...process.env, PATH: path, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/**
 * scripts/sandbox.sh on a checkout without node_modules, with an `npm` on PATH that prints what
 * the real one does on Node 20 and a `bin/kanari.js` that only says how it was called.
 */
describe('scripts/sandbox.sh on a fresh checkout', () => {
  let dir: string;
  let path: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kanari-sandbox-script-'));
    await mkdir(join(dir, 'scripts'));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'fake-bin'));
    for (const file of ['sandbox.sh', 'install-system.sh'])
      await copyFile(join(SCRIPTS, file), join(dir, 'scripts', file));
    await writeFile(
      join(dir, 'bin', 'kanari.js'),
      "console.log('kanari ran:', process.argv.slice(2).join(' '));\n",
    );
    const npm = join(dir, 'fake-bin', 'npm');
    await writeFile(
      npm,
      [
        '#!/usr/bin/env bash',
        '[ "$1" = ci ] || { echo "npm: expected ci, got $*" >&2; exit 64; }',
        `cat >&2 <<'WARN'`,
        ebadengine('@kubernetes-models/base@6.0.1'),
        'npm warn deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported',
        ebadengine('@kubernetes-models/istio@3.0.1'),
        'WARN',
        'if [ -n "$FAKE_NPM_FAIL" ]; then',
        '  echo "npm error code ENOTCACHED" >&2; exit 1',
        'fi',
        'echo "added 895 packages in 3m"',
      ].join('\n'),
    );
    await chmod(npm, 0o755);
    path = `${join(dir, 'fake-bin')}:${process.env.PATH}`;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("hides npm's EBADENGINE blocks behind one line, keeps other warnings, then runs kanari sandbox", async () => {
    const { code, stdout, stderr } = await run(dir, path, {});
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain('EBADENGINE');
    expect(stderr).toContain(
      'npm: 2 packages ask for a newer Node than this one; kanari runs on Node >=20.19',
    );
    expect(stderr).toContain('npm warn deprecated glob@7.2.3');
    expect(stdout).toContain('added 895 packages in 3m');
    expect(stdout).toContain('kanari ran: sandbox --scenario errors');
  });

  it("shows npm's errors and stops with its failure, without running kanari", async () => {
    const { code, stdout, stderr } = await run(dir, path, { FAKE_NPM_FAIL: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain('npm error code ENOTCACHED');
    expect(stderr).not.toContain('EBADENGINE');
    expect(stdout).not.toContain('kanari ran');
  });
});
