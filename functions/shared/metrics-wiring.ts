import { createEventBridgeShardQueue } from '../../lib/adapters/eventbridge/shard-queue.ts';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import type { AnalyzeDeps } from '../../lib/app/analyze-due.ts';
import type { TickDeps } from '../../lib/app/analyze-tick.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import { config, core, eventBridge } from './wiring.ts';

/** Prometheus, which analyze and the console's preflight reach; analyze reaches no cluster. */
export const metricsProvider = (who: string): MetricsProvider => {
  const url = config.PROMETHEUS_URL;
  if (!url) throw new Error(`invalid configuration: PROMETHEUS_URL is required by ${who}`);
  return createPrometheusMetricsProvider({
    url,
    ...(config.PROMETHEUS_SIGV4_REGION
      ? { sigv4: { region: config.PROMETHEUS_SIGV4_REGION } }
      : {}),
  });
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
