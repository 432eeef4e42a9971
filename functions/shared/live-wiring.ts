import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import {
  createEksTokenProvider,
  createKubernetesClusterReader,
  createKubernetesTrafficRouter,
  eksKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import { DEFAULT_RETRY } from '../../lib/adapters/retry.ts';
import type { AnalyzeDeps } from '../../lib/app/analyze-due.ts';
import type { ApplyDeps } from '../../lib/app/apply-decision.ts';
import type { PreflightDeps } from '../../lib/app/preflight.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import { config, core } from './wiring.ts';

/** The outside systems that analyze, shift-traffic and the console's preflight reach. */

const metricsProvider = (who: string): MetricsProvider => {
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

/** One KubeConfig per context of the kubeconfig file; a context's name is a kanari cluster name. */
const fileKubeConfigs = (): Record<string, KubeConfig> => {
  const file = new KubeConfig();
  const hasEks = Object.keys(config.KANARI_EKS_CLUSTERS).length > 0;
  // serverless.yml defaults KUBECONFIG to a packaged file, which EKS-only deployments leave out.
  if (hasEks && (!config.KUBECONFIG || !existsSync(config.KUBECONFIG))) return {};
  if (config.KUBECONFIG) file.loadFromFile(config.KUBECONFIG);
  else file.loadFromDefault();
  return Object.fromEntries(
    file.getContexts().map((context) => {
      const one = new KubeConfig();
      one.loadFromOptions({
        clusters: file.clusters,
        users: file.users,
        contexts: file.contexts,
        currentContext: context.name,
      });
      return [context.name, one];
    }),
  );
};

/** KUBECONFIG's contexts plus KANARI_EKS_CLUSTERS, whose IAM tokens are minted in process. */
const kubeConfigs = (): Record<string, KubeConfig> => {
  const configs = fileKubeConfigs();
  for (const [name, eks] of Object.entries(config.KANARI_EKS_CLUSTERS)) {
    if (Object.hasOwn(configs, name))
      throw new Error(
        `invalid configuration: cluster "${name}" is in both KUBECONFIG and KANARI_EKS_CLUSTERS`,
      );
    configs[name] = eksKubeConfig({
      name,
      server: eks.server,
      caData: eks.caData,
      tokenProvider: createEksTokenProvider({
        clusterName: eks.eksClusterName,
        region: eks.region,
      }),
    });
  }
  return configs;
};

export const applyDeps = (): ApplyDeps => {
  const configs = kubeConfigs();
  return {
    ...core(),
    router: createKubernetesTrafficRouter({ kubeConfigs: configs }),
    rules: createKubernetesClusterReader({ kubeConfigs: configs }),
  };
};

/** The live checks before a rollout starts: the clusters, read only, and Prometheus. */
export const preflightDeps = (): PreflightDeps => ({
  // Someone waits for the answer: one retry, not three.
  clusters: createKubernetesClusterReader({
    kubeConfigs: kubeConfigs(),
    retry: { ...DEFAULT_RETRY, retries: 1 },
  }),
  metrics: metricsProvider('the console (preflight)'),
  scheduleSeconds: config.KANARI_SCHEDULE_SECONDS,
});
