import { endpointFromEnv } from '../../lib/adapters/aws-json.ts';
import { ssmParameters } from '../../lib/adapters/ssm/parameters.ts';
import type { AlertSources } from '../../lib/schemas/alert-sources.ts';

/** Secrets are fetched again after this long, so a rotated one is picked up. */
const CACHE_MS = 5 * 60_000;

export interface AlertSecrets {
  /** The secret of a source, from SSM (cached) or the environment. */
  secretOf(source: string): Promise<string | undefined>;
}

/**
 * Where each source's secret lives: in AWS an SSM SecureString (`ssmParameter`, every source's
 * read in one go at the first request and cached), locally an environment variable
 * (`secretEnv`). Secrets are never logged.
 */
export const alertSecrets = (
  sources: AlertSources,
  env: Record<string, string | undefined>,
  region: string,
): AlertSecrets => {
  const names = [...new Set(Object.values(sources).flatMap((source) => source.ssmParameter ?? []))];
  const read =
    names.length > 0
      ? ssmParameters({
          region,
          endpoint: endpointFromEnv(env, 'SSM'),
          ttlMs: CACHE_MS,
        })
      : undefined;
  return {
    async secretOf(name) {
      const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
      if (source?.secretEnv) return env[source.secretEnv] || undefined;
      if (!source?.ssmParameter || !read) return undefined;
      return (await read(names))[source.ssmParameter] || undefined;
    },
  };
};
