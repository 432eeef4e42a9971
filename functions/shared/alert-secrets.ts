import type { AlertSources } from '../../lib/schemas/alert-sources.ts';
import { secretReader } from './secrets.ts';

export interface AlertSecrets {
  /** The secret of a source, from SSM (cached) or the environment. */
  secretOf(source: string): Promise<string | undefined>;
}

/** Each alert source's secret (bearer token or HMAC key), read as secrets.ts reads them. */
export const alertSecrets = (
  sources: AlertSources,
  env: Record<string, string | undefined>,
  region: string,
): AlertSecrets => {
  const read = secretReader(Object.values(sources), env, region);
  return {
    async secretOf(name) {
      const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
      return source ? read(source) : undefined;
    },
  };
};
