/** What the benchmarks share: their options and a fleet of rollouts, one VirtualService each. */
import { quietKnownNodeWarnings } from '../sandbox/node-warnings.ts';
import { SEED_VIRTUAL_SERVICE } from '../sandbox/seed.ts';

// Before the first AWS SDK client: no Node-version notice in the figures.
quietKnownNodeWarnings();

/** `--name N` from the command line: a positive integer, or the fallback. */
export const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
};

/** Progress goes to stderr; stdout's last line is the JSON result. */
export const say = (line: string) => process.stderr.write(`${line}\n`);

/** svc-00, svc-01, ... */
export const fleetNames = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

/** The seed VirtualService, renamed: one per rollout, so deliveries never contend on one object. */
export const fleetVirtualService = (name: string) => {
  const vs = structuredClone(SEED_VIRTUAL_SERVICE);
  vs.metadata.name = name;
  vs.spec.hosts = [name];
  for (const route of vs.spec.http ?? [])
    for (const entry of route.route ?? [])
      entry.destination.host = entry.destination.host === 'my-service' ? name : `${name}-v2`;
  return vs;
};

/** The target of the rollout that moves `fleetVirtualService(name)`. */
export const fleetTarget = (name: string) => ({
  cluster: 'sandbox',
  namespace: 'default',
  virtualService: name,
  primary: { host: name },
  canary: { host: `${name}-v2` },
});
