import type { ApiClient } from './api-client.ts';
import { isApiError } from './api-errors.ts';
import { type ConfigContext, type ConnectionFlags, connectWithConfig } from './config.ts';
import type { CliContext } from './context.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { type RefOptions, ROLLOUT_ID } from './options.ts';
import { didYouMean, editDistance } from './suggest.ts';

const NAME = /^[^/\s]+$/;

/**
 * The rollout id `cluster/namespace/name` that `ref` means: a full id as given, or a bare name
 * in the namespace of `-n` (else the context's, else `default`) and the cluster of `--cluster`
 * (else the context's).
 */
export const resolveRef = (
  ref: string,
  flags: RefOptions,
  context: Pick<ConfigContext, 'cluster' | 'namespace'> = {},
): string => {
  if (ref.includes('/')) {
    if (!ROLLOUT_ID.test(ref))
      throw new UsageError(
        `rollout "${ref}" must be a name (e.g. cart -n shop) or cluster/namespace/name (e.g. prod/shop/cart)`,
      );
    const [cluster, namespace] = ref.split('/');
    if (flags.namespace && flags.namespace !== namespace)
      throw new UsageError(`-n ${flags.namespace} does not match the namespace of ${ref}`);
    if (flags.cluster && flags.cluster !== cluster)
      throw new UsageError(`--cluster ${flags.cluster} does not match the cluster of ${ref}`);
    return ref;
  }
  if (!NAME.test(ref)) throw new UsageError(`rollout "${ref}" is not a name`);
  const cluster = flags.cluster ?? context.cluster;
  if (!cluster)
    throw new UsageError(
      `no cluster for "${ref}": pass --cluster, give cluster/namespace/name, or set a context (kanari config set-context NAME --cluster CLUSTER)`,
    );
  const namespace = flags.namespace ?? context.namespace ?? 'default';
  return `${cluster}/${namespace}/${ref}`;
};

/**
 * The ids closest to `id`: a name within a few edits (about 40% of its letters), in any
 * namespace or cluster; the same namespace and cluster come first.
 */
export const similarIds = (id: string, ids: readonly string[], limit = 3): string[] => {
  const [cluster, namespace, name = ''] = id.split('/');
  const reach = Math.max(1, Math.floor(name.length * 0.4));
  return ids
    .filter((other) => other !== id)
    .map((other) => {
      const [c, n, rest = ''] = other.split('/');
      const distance = editDistance(name.toLowerCase(), rest.toLowerCase());
      return {
        other,
        distance,
        score: distance + (n === namespace ? 0 : 1) + (c === cluster ? 0 : 1),
      };
    })
    .filter(({ distance }) => distance <= reach)
    .sort((a, b) => a.score - b.score || a.other.localeCompare(b.other))
    .slice(0, limit)
    .map(({ other }) => other);
};

/** Runs `fn`; a 404 becomes "not found" (exit 3) with the closest rollout ids, if any. */
export const suggestingOnNotFound = async <T>(
  api: ApiClient,
  id: string,
  fn: () => Promise<T>,
): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    if (!isApiError(error) || error.status !== 404) throw error;
    const ids = await api
      .listRollouts()
      .then(({ rollouts }) => rollouts.map((r) => r.id))
      .catch(() => [] as string[]);
    throw new CliError(`${error.message}${didYouMean(similarIds(id, ids))}`, EXIT.notFound);
  }
};

/** The API and the rollout id a command's `<rollout>` argument names. */
export const connectToRollout = async (
  ref: string,
  options: ConnectionFlags & RefOptions,
  ctx: CliContext,
): Promise<{ api: ApiClient; id: string }> => {
  // A malformed reference is a usage error even before any config is read.
  if (ref.includes('/')) resolveRef(ref, options);
  const { api, config } = await connectWithConfig(options, ctx);
  return { api, id: resolveRef(ref, options, config.context) };
};
