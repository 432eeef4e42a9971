import { DEFAULT_RETRY } from '../../lib/adapters/retry.ts';
import type { PreflightDeps } from '../../lib/app/preflight.ts';
import { clusterReader } from './kube-wiring.ts';
import { metricsProvider } from './metrics-wiring.ts';
import { config } from './wiring.ts';

/**
 * The live checks before a rollout starts: the clusters, read only, and Prometheus. The
 * console imports this module only when a create or a preflight asks, so its read routes load
 * neither client.
 */
export const preflightDeps = (): PreflightDeps => ({
  // Someone waits for the answer: one retry, not three.
  clusters: clusterReader({ ...DEFAULT_RETRY, retries: 1 }),
  metrics: metricsProvider('the console (preflight)'),
  scheduleSeconds: config.KANARI_SCHEDULE_SECONDS,
  providers: Object.keys(config.KANARI_METRIC_PROVIDERS),
});
