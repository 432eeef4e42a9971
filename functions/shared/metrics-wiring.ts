import { endpointFromEnv } from '../../lib/adapters/aws-json.ts';
import { cloudWatchClient } from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { createCloudWatchMetricsProvider } from '../../lib/adapters/cloudwatch/metric-data.ts';
import { createEventBridgeShardQueue } from '../../lib/adapters/eventbridge/shard-queue.ts';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import type { AnalyzeDeps } from '../../lib/app/analyze-due.ts';
import type { TickDeps } from '../../lib/app/analyze-tick.ts';
import type { NamedProviders } from '../../lib/app/measure.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import type { PrometheusAuth } from '../../lib/schemas/config.ts';
import { requiredSecret, secretReader } from './secrets.ts';
import { config, core, eventBridge } from './wiring.ts';

/** Prometheus, which analyze and the console's preflight reach; analyze reaches no cluster. */
export const metricsProvider = (who: string): MetricsProvider => {
  const url = config.PROMETHEUS_URL;
  if (!url) throw new Error(`invalid configuration: PROMETHEUS_URL is required by ${who}`);
  return prometheus(url, config.PROMETHEUS_SIGV4_REGION, config.PROMETHEUS_AUTH);
};

const prometheus = (url: string, sigv4Region?: string, auth?: PrometheusAuth) =>
  createPrometheusMetricsProvider({
    url,
    ...(sigv4Region ? { sigv4: { region: sigv4Region } } : {}),
    ...(auth ? { auth: prometheusAuth(auth) } : {}),
  });

/** The providers of KANARI_METRIC_PROVIDERS, each made at its first use and kept. */
export const namedProviders = (): NamedProviders => {
  const made = new Map<string, MetricsProvider>();
  return (name) => {
    const known = made.get(name);
    if (known) return known;
    const provider = Object.hasOwn(config.KANARI_METRIC_PROVIDERS, name)
      ? config.KANARI_METRIC_PROVIDERS[name]
      : undefined;
    if (!provider)
      throw new MetricsQueryError(
        `no metric provider named "${name}": KANARI_METRIC_PROVIDERS has ${
          Object.keys(config.KANARI_METRIC_PROVIDERS).join(', ') || 'none'
        }`,
      );
    const created =
      provider.type === 'cloudwatch'
        ? createCloudWatchMetricsProvider({
            client: cloudWatchClient({
              region: provider.region,
              endpoint: endpointFromEnv(process.env, 'CLOUDWATCH'),
            }),
          })
        : prometheus(provider.url, provider.sigv4Region, provider.auth);
    made.set(name, created);
    return created;
  };
};

/** The Prometheus auth option for PROMETHEUS_AUTH, its secret read from SSM or the environment. */
const prometheusAuth = (auth: PrometheusAuth) => {
  const secret = requiredSecret(
    secretReader([auth], process.env, config.AWS_REGION),
    auth,
    'PROMETHEUS_AUTH',
  );
  return auth.type === 'basic'
    ? { type: 'basic' as const, username: auth.username ?? '', password: secret }
    : { type: 'bearer' as const, token: secret };
};

export const analyzeDeps = (): AnalyzeDeps => {
  const metrics = metricsProvider('analyze');
  return {
    ...core(),
    metricsFor: () => metrics,
    metricsNamed: namedProviders(),
    resendAfterMs: config.KANARI_RESEND_AFTER_MS,
  };
};

/** The scheduled tick: analyze, plus the shards it hands to other invocations of itself. */
export const tickDeps = (): TickDeps => ({
  ...analyzeDeps(),
  shards: createEventBridgeShardQueue({ client: eventBridge(), busName: config.KANARI_EVENT_BUS }),
  batchSize: config.KANARI_ANALYZE_BATCH_SIZE,
});
