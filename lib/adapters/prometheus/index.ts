export {
  createPrometheusMetricsProvider,
  type PrometheusMetricsProviderOptions,
} from './prometheus-metrics-provider.ts';
export type { AwsCredentials, SigV4Options } from './sigv4.ts';
