import { createEventBridgeShardQueue } from '../../lib/adapters/eventbridge/shard-queue.ts';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import type { AnalyzeDeps } from '../../lib/app/analyze-due.ts';
import type { TickDeps } from '../../lib/app/analyze-tick.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import type { PrometheusAuth } from '../../lib/schemas/config.ts';
import { secretReader } from './secrets.ts';
import { config, core, eventBridge } from './wiring.ts';

/** Prometheus, which analyze and the console's preflight reach; analyze reaches no cluster. */
export const metricsProvider = (who: string): MetricsProvider => {
  const url = config.PROMETHEUS_URL;
  if (!url) throw new Error(`invalid configuration: PROMETHEUS_URL is required by ${who}`);
  const auth = config.PROMETHEUS_AUTH;
  return createPrometheusMetricsProvider({
    url,
    ...(config.PROMETHEUS_SIGV4_REGION
      ? { sigv4: { region: config.PROMETHEUS_SIGV4_REGION } }
      : {}),
    ...(auth ? { auth: prometheusAuth(auth) } : {}),
  });
};

/** The Prometheus auth option for PROMETHEUS_AUTH, its secret read from SSM or the environment. */
const prometheusAuth = (auth: PrometheusAuth) => {
  const read = secretReader([auth], process.env, config.AWS_REGION);
  const secret = async () => {
    const value = await read(auth);
    if (!value)
      throw new Error(
        `PROMETHEUS_AUTH: no secret in ${auth.ssmParameter ?? `$${auth.secretEnv ?? ''}`}`,
      );
    return value;
  };
  return auth.type === 'basic'
    ? { type: 'basic' as const, username: auth.username ?? '', password: secret }
    : { type: 'bearer' as const, token: secret };
};

export const analyzeDeps = (): AnalyzeDeps => {
  const metrics = metricsProvider('analyze');
  return { ...core(), metricsFor: () => metrics, resendAfterMs: config.KANARI_RESEND_AFTER_MS };
};

/** The scheduled tick: analyze, plus the shards it hands to other invocations of itself. */
export const tickDeps = (): TickDeps => ({
  ...analyzeDeps(),
  shards: createEventBridgeShardQueue({ client: eventBridge(), busName: config.KANARI_EVENT_BUS }),
  batchSize: config.KANARI_ANALYZE_BATCH_SIZE,
});
