import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../cli/main.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { SEED_VIRTUAL_SERVICE } from '../../sandbox/seed.ts';
import { seedSpec } from './fixtures.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temp folder for spec and config files; HOME points here so no real config is read. */
export const workDir = (): string => mkdtempSync(join(tmpdir(), 'kanari-cli-'));

/** Runs `kanari <args>` in this process, with `env` as its whole environment. */
export const runCli = async (
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CliRun> => {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env,
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))),
  });
  return { code, stdout, stderr };
};

/** The seed VirtualService under another name, so that each test has its own rollout. */
export const serviceNamed = (name: string): VirtualService => {
  const copy = structuredClone(SEED_VIRTUAL_SERVICE);
  copy.metadata.name = name;
  copy.spec.hosts = [name];
  for (const route of copy.spec.http ?? [])
    for (const target of route.route ?? [])
      target.destination.host = target.destination.host.replace('my-service', name);
  return copy;
};

/** The seed spec for the VirtualService `name` (see serviceNamed). */
export const specNamed = (name: string, interval = '10m', cluster = 'sandbox'): RolloutSpec => {
  const spec = seedSpec({ interval }, cluster);
  spec.name = name;
  spec.target = {
    ...spec.target,
    virtualService: name,
    primary: { host: name },
    canary: { host: `${name}-v2` },
  };
  return spec;
};

/** A spec file for the VirtualService `name` (see serviceNamed), written as YAML. */
export const specFile = (dir: string, name: string, interval = '10m'): string => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(specNamed(name, interval)));
  return file;
};
