import { child, FieldUse } from './flagger-fields.ts';
import { translateMetric } from './flagger-metrics.ts';
import type {
  FlaggerCanary,
  FlaggerImport,
  FlaggerMetricTemplate,
  ImportedSpec,
} from './flagger-types.ts';
import { translateWeights } from './flagger-weights.ts';
import type { MetricSpec } from './rollout-spec.ts';

export type {
  FlaggerAnalysis,
  FlaggerCanary,
  FlaggerImport,
  FlaggerMetric,
  FlaggerMetricTemplate,
  ImportedSpec,
} from './flagger-types.ts';

const NOT_MANAGED =
  'kanari does not manage workloads, autoscalers, ingresses or routes; it only moves the weights of a VirtualService you manage';
const OWN_PROMETHEUS = 'kanari queries the Prometheus it is deployed with, not one per Canary';

/** Why a Canary field is not translated, for the fields the import knows. */
const WHY_SPEC: Record<string, string> = {
  autoscalerRef: NOT_MANAGED,
  ingressRef: NOT_MANAGED,
  upstreamRef: NOT_MANAGED,
  routeRef: NOT_MANAGED,
  revertOnDeletion:
    'kanari creates no objects; there is nothing to revert when a rollout is deleted',
  suspend: 'kanari has no suspended state in a spec; pause the rollout once it is applied',
  metricsServer: OWN_PROMETHEUS,
  insecureSkipVerify: OWN_PROMETHEUS,
};
const WHY_ANALYSIS: Record<string, string> = {
  iterations:
    'A/B testing (a fixed number of checks on matched traffic) is not supported; kanari shifts traffic by weight, so the plan uses weighted steps',
  match:
    'header and cookie matching is not supported; kanari splits traffic by weight for every request',
  webhooks: 'webhooks are not supported; run load tests and gates outside kanari',
  alerts: 'Flagger alert providers are not supported; subscribe to kanari events on EventBridge',
  mirror: 'traffic mirroring is not supported',
  mirrorWeight: 'traffic mirroring is not supported',
  sessionAffinity: 'session affinity is not supported',
  stepWeightPromotion:
    'promotion is one step to 100% in kanari; gradual promotion of the primary is not supported',
  primaryReadyThreshold: 'kanari does not watch Deployments; your CD system rolls them out',
  canaryReadyThreshold: 'kanari does not watch Deployments; your CD system rolls them out',
};
const WHY_TEMPLATE: Record<string, string> = {
  'spec.provider.address': OWN_PROMETHEUS.replace('Canary', 'MetricTemplate'),
  'spec.provider.secretRef': `${OWN_PROMETHEUS.replace('Canary', 'MetricTemplate')}, with its own credentials`,
  'spec.provider.insecureSkipVerify': OWN_PROMETHEUS.replace('Canary', 'MetricTemplate'),
};
const METADATA = 'Kubernetes metadata of the Flagger object; a rollout spec carries none';
const STATUS = "Flagger's record of the last run; a rollout spec has no status";

const known = (analysisKey: string) => (path: string) => {
  const top = path.split(/[.[]/)[0];
  if (top === 'metadata') return METADATA;
  if (top === 'status') return STATUS;
  if (path === 'spec.canaryAnalysis')
    return 'ignored, as Flagger ignores it, because spec.analysis is set';
  const analysis = `spec.${analysisKey}.`;
  if (path.startsWith(analysis)) return WHY_ANALYSIS[path.slice(analysis.length)];
  return path.startsWith('spec.') ? WHY_SPEC[path.slice(5)] : undefined;
};

/**
 * Translates a Flagger Canary into a kanari rollout spec, and lists every field it did not
 * carry over. Flagger's Istio VirtualService is named after the service and routes to the
 * `<service>-primary` and `<service>-canary` hosts; the primary workload is `<target>-primary`
 * and the canary workload is the target itself, which is what Flagger's `{{ target }}` means.
 */
export const importFlaggerCanary = (
  canary: FlaggerCanary,
  options: { cluster?: string; templates?: readonly FlaggerMetricTemplate[] } = {},
): FlaggerImport => {
  const { metadata, spec } = canary;
  // Flagger reads canaryAnalysis (v1alpha3) only when analysis is absent.
  const analysisKey = spec.analysis || !spec.canaryAnalysis ? 'analysis' : 'canaryAnalysis';
  const analysisPath = `spec.${analysisKey}`;
  const analysis = spec[analysisKey] ?? {};
  const use = new FieldUse(known(analysisKey));
  use.use('apiVersion', 'kind', 'metadata.name', 'metadata.namespace', 'spec.targetRef');

  const namespace = metadata.namespace ?? 'default';
  if (!metadata.namespace)
    use.leave('metadata.namespace', 'absent; the spec assumes namespace default');
  const target = spec.targetRef.name;
  const service = spec.service?.name ?? target;
  use.use('spec.service.name');
  use.group(
    'spec.service',
    'Flagger generates the Services and VirtualService from these; kanari only moves the weights of a VirtualService you manage, so keep them there',
  );
  if (spec.provider && spec.provider !== 'istio') {
    use.leave(
      'spec.provider',
      `${spec.provider} is not supported; kanari moves weights on an Istio VirtualService, and the spec assumes one named ${service}`,
    );
  } else use.use('spec.provider');
  if (spec.skipAnalysis)
    use.leave('spec.skipAnalysis', 'kanari always analyses before it promotes');
  else use.use('spec.skipAnalysis');
  if (spec.progressDeadlineSeconds !== undefined) {
    use.leave(
      'spec.progressDeadlineSeconds',
      `in Flagger, how long the canary Deployment may take to make progress (become ready) before Flagger rolls back (${spec.progressDeadlineSeconds} s); kanari does not manage Deployments, your CD system watches their rollout. It does not become kanari's analysis.progressDeadline (how long a step may stay inconclusive), which keeps its default`,
    );
  }

  use.use(...['interval', 'threshold'].map((key) => child(analysisPath, key)));
  const weights = translateWeights(analysis, analysisPath, use);
  (analysis.webhooks ?? []).forEach((hook, index) => {
    const { name, type } = (hook ?? {}) as { name?: unknown; type?: unknown };
    const label = [name, type ? `(${type})` : ''].filter(Boolean).join(' ');
    use.leave(child(`${analysisPath}.webhooks`, index), WHY_ANALYSIS.webhooks as string, label);
  });

  const metrics: MetricSpec[] = [];
  const templates: FlaggerMetricTemplate[] = [];
  const context = {
    namespace,
    names: { name: metadata.name, service },
    templates: options.templates ?? [],
  };
  (analysis.metrics ?? []).forEach((metric, index) => {
    const done = translateMetric(metric, child(`${analysisPath}.metrics`, index), use, context);
    if (!done) return;
    metrics.push(done.metric);
    if (done.template && !templates.includes(done.template)) templates.push(done.template);
  });

  const untranslated = [...use.report(canary), ...templates.flatMap(templateFields)];
  const problems: string[] = [];
  const given = analysis.metrics?.length ?? 0;
  if (given === 0) {
    problems.push(
      `canary ${metadata.name} has no ${analysisPath.slice(5)}.metrics: kanari needs at least one metric to judge; add request-success-rate (thresholdRange.min, e.g. 99) or request-duration (thresholdRange.max in ms, e.g. 500) to the Canary or to the imported spec`,
    );
  } else if (metrics.length === 0) {
    const why = untranslated.filter((line) => line.startsWith(`${analysisPath}.metrics[`));
    problems.push(
      `canary ${metadata.name}: none of its metrics could be translated, and kanari needs at least one to judge (${why.join('; ')})`,
    );
  }

  const primaryWorkload = `${target}-primary`;
  const result: ImportedSpec = {
    name: metadata.name,
    target: {
      cluster: options.cluster ?? 'default',
      namespace,
      virtualService: service,
      primary: {
        host: `${service}-primary`,
        ...(primaryWorkload !== `${service}-primary` ? { workload: primaryWorkload } : {}),
      },
      canary: { host: `${service}-canary`, workload: target },
    },
    analysis: {
      ...(analysis.interval ? { interval: analysis.interval } : {}),
      // Flagger's default is one failed check (GetAnalysisThreshold); kanari's would be 5.
      threshold: analysis.threshold && analysis.threshold > 0 ? analysis.threshold : 1,
      ...weights,
      metrics,
    },
  };
  return { spec: result, untranslated, problems, templatesUsed: templates };
};

/** The fields of a used MetricTemplate that do not carry over, prefixed with the template. */
const templateFields = (template: FlaggerMetricTemplate): string[] => {
  // The walk's paths are the template's own, so each line says which template it is about.
  const use = new FieldUse((path) =>
    path.startsWith('metadata.') ? METADATA : WHY_TEMPLATE[path],
  );
  use.use('apiVersion', 'kind', 'metadata.name', 'metadata.namespace');
  use.use('spec.query', 'spec.provider.type');
  const id = `${template.metadata.namespace ? `${template.metadata.namespace}/` : ''}${template.metadata.name}`;
  return use.report(template).map((line) => `MetricTemplate ${id}: ${line}`);
};
