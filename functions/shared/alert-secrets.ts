import type { MiddlewareObj } from '@middy/core';
import ssm from '@middy/ssm';
import type { AlertSources } from '../../lib/schemas/alert-sources.ts';

/** Secrets are fetched again after this long, so a rotated one is picked up. */
const CACHE_MS = 5 * 60_000;

export interface AlertSecrets {
  /** Fetches SSM-held secrets into the Lambda context; absent when no source uses SSM. */
  middleware?: MiddlewareObj;
  /** The secret of a source, from the context (SSM) or the environment. */
  secretOf(source: string, context: object): string | undefined;
}

/**
 * Where each source's secret lives: in AWS an SSM SecureString (`ssmParameter`, fetched by
 * @middy/ssm and cached), locally an environment variable (`secretEnv`). Secrets are never logged.
 */
export const alertSecrets = (
  sources: AlertSources,
  env: Record<string, string | undefined>,
): AlertSecrets => {
  const contextKeys: Record<string, string> = {};
  const fetchData: Record<string, string> = {};
  Object.entries(sources).forEach(([name, source], index) => {
    if (!source.ssmParameter) return;
    // Context keys must be plain identifiers; source names may hold '-'.
    contextKeys[name] = `kanariAlertSecret${index}`;
    fetchData[`kanariAlertSecret${index}`] = source.ssmParameter;
  });
  return {
    ...(Object.keys(fetchData).length > 0
      ? {
          middleware: ssm({
            fetchData,
            setToContext: true,
            cacheExpiry: CACHE_MS,
          }) as MiddlewareObj,
        }
      : {}),
    secretOf(name, context) {
      const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
      if (source?.secretEnv) return env[source.secretEnv] || undefined;
      const key = Object.hasOwn(contextKeys, name) ? contextKeys[name] : undefined;
      const value = key ? (context as Record<string, unknown>)[key] : undefined;
      return typeof value === 'string' && value ? value : undefined;
    },
  };
};
