import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KubeConfig } from '@kubernetes/client-node';
import { createCloudWatchAlarmTags } from '../../lib/adapters/cloudwatch/alarm-tags.ts';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { createEventBridgeBus } from '../../lib/adapters/eventbridge/event-bus.ts';
import {
  createEksTokenProvider,
  createKubernetesTrafficRouter,
  eksKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import type { AnalyzeDeps } from '../../lib/app/analyze-due.ts';
import type { ApplyDeps } from '../../lib/app/apply-decision.ts';
import type { CoreDeps } from '../../lib/app/deps.ts';
import type { IntakeDeps } from '../../lib/app/intake-alert.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';
import { type Config, loadConfig } from '../../lib/schemas/config.ts';
import { log } from './log.ts';

// Clients live at module scope so that warm invocations reuse their connections.
// Endpoints for local runs come from the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables.
export const config: Config = loadConfig(process.env);

const core = (): CoreDeps => ({
  store: createDynamoRolloutStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.AWS_REGION }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: config.KANARI_TABLE,
  }),
  bus: createEventBridgeBus({
    client: new EventBridgeClient({ region: config.AWS_REGION }),
    busName: config.KANARI_EVENT_BUS,
  }),
  now: () => new Date(),
  newId: randomUUID,
  log,
});

export const analyzeDeps = (): AnalyzeDeps => {
  const url = config.PROMETHEUS_URL;
  if (!url) throw new Error('invalid configuration: PROMETHEUS_URL is required by analyze');
  const metrics: MetricsProvider = createPrometheusMetricsProvider({
    url,
    ...(config.PROMETHEUS_SIGV4_REGION
      ? { sigv4: { region: config.PROMETHEUS_SIGV4_REGION } }
      : {}),
  });
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

export const applyDeps = (): ApplyDeps => ({
  ...core(),
  router: createKubernetesTrafficRouter({ kubeConfigs: kubeConfigs() }),
});

export const consoleDeps = (): CoreDeps => core();

/** Alert intake: webhooks and CloudWatch alarms. Tags are read only when a matcher needs them. */
export const alertDeps = (): IntakeDeps => ({
  ...core(),
  alarmTags: createCloudWatchAlarmTags({
    client: new CloudWatchClient({ region: config.AWS_REGION }),
  }),
});
