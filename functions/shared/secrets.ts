import { endpointFromEnv } from '../../lib/adapters/aws-json.ts';
import { ssmParameters } from '../../lib/adapters/ssm/parameters.ts';

/** Secrets are fetched again after this long, so a rotated one is picked up. */
const CACHE_MS = 5 * 60_000;

/** Where a secret lives: an SSM SecureString in AWS, an environment variable locally. */
export interface SecretRef {
  ssmParameter?: string;
  secretEnv?: string;
}

/** Where a reference points, for an error: the parameter's name or `$VARIABLE`. */
const whereOf = (ref: SecretRef): string => ref.ssmParameter ?? `$${ref.secretEnv ?? ''}`;

/**
 * The secret of `ref` as a function to ask at each use (the reader caches), which fails naming
 * `setting` and where the secret should be when there is none.
 */
export const requiredSecret =
  (read: (ref: SecretRef) => Promise<string | undefined>, ref: SecretRef, setting: string) =>
  async (): Promise<string> => {
    const value = await read(ref);
    if (!value) throw new Error(`${setting}: no secret in ${whereOf(ref)}`);
    return value;
  };

/**
 * Reads the secrets of `refs`: every SSM one in one go at the first read, cached for five
 * minutes; environment ones as they are. Secrets are never logged.
 */
export const secretReader = (
  refs: SecretRef[],
  env: Record<string, string | undefined>,
  region: string,
): ((ref: SecretRef) => Promise<string | undefined>) => {
  const names = [...new Set(refs.flatMap((ref) => ref.ssmParameter ?? []))];
  const read =
    names.length > 0
      ? ssmParameters({ region, endpoint: endpointFromEnv(env, 'SSM'), ttlMs: CACHE_MS })
      : undefined;
  return async (ref) => {
    if (ref.secretEnv) return env[ref.secretEnv] || undefined;
    if (!ref.ssmParameter || !read) return undefined;
    return (await read(names))[ref.ssmParameter] || undefined;
  };
};
