import { isBuiltinMetric } from './builtin-metrics.ts';
import type { MetricSpec, ThresholdRange } from './rollout-spec.ts';
import { unknownPlaceholders } from './template.ts';

/** The parts of a Flagger Canary (flagger.app/v1beta1) that kanari reads; the rest is kept as is. */
export interface FlaggerCanary {
  metadata: { name: string; namespace?: string };
  spec: {
    provider?: string;
    targetRef: { name: string; kind?: string };
    service?: { name?: string } & Record<string, unknown>;
    progressDeadlineSeconds?: number;
    skipAnalysis?: boolean;
    analysis?: FlaggerAnalysis;
  } & Record<string, unknown>;
}

export interface FlaggerAnalysis extends Record<string, unknown> {
  interval?: string;
  threshold?: number;
  stepWeight?: number;
  stepWeights?: number[];
  maxWeight?: number;
  metrics?: FlaggerMetric[];
}

export interface FlaggerMetric extends Record<string, unknown> {
  name: string;
  interval?: string;
  thresholdRange?: ThresholdRange;
  /** Deprecated in Flagger: a lower bound for success rate, an upper bound for duration. */
  threshold?: number;
  templateRef?: { name: string; namespace?: string };
  templateVariables?: Record<string, string>;
}

/** A Flagger MetricTemplate: where a templated metric's query lives. */
export interface FlaggerMetricTemplate {
  metadata: { name: string; namespace?: string };
  spec: { provider?: { type?: string; address?: string }; query?: string };
}

/** The spec as a user would write it: kanari's defaults fill what Flagger did not say. */
export interface ImportedSpec {
  name: string;
  target: {
    cluster: string;
    namespace: string;
    virtualService: string;
    primary: { host: string; workload?: string };
    canary: { host: string; workload?: string };
  };
  analysis: {
    interval?: string;
    threshold?: number;
    stepWeights?: number[];
    stepWeight?: number;
    maxWeight?: number;
    progressDeadline?: string;
    metrics: MetricSpec[];
  };
}

export interface FlaggerImport {
  spec: ImportedSpec;
  /** What could not be carried over, each as `path: why`. */
  untranslated: string[];
}

const HANDLED_ANALYSIS = new Set([
  'interval',
  'threshold',
  'stepWeight',
  'stepWeights',
  'maxWeight',
  'metrics',
]);
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
const SERVICE_KEYS_TRANSLATED = new Set(['name']);
const FLAGGER_VARIABLES = ['name', 'service'];

/**
 * Translates a Flagger Canary into a kanari rollout spec, and says what did not carry over.
 * Flagger's Istio VirtualService is named after the service and routes to the
 * `<service>-primary` and `<service>-canary` hosts; the primary workload is
 * `<target>-primary` and the canary workload is the target itself, which is what Flagger's
 * `{{ target }}` means in queries.
 */
export const importFlaggerCanary = (
  canary: FlaggerCanary,
  options: { cluster?: string; templates?: readonly FlaggerMetricTemplate[] } = {},
): FlaggerImport => {
  const untranslated: string[] = [];
  const { metadata, spec } = canary;
  const namespace = metadata.namespace ?? 'default';
  if (!metadata.namespace)
    untranslated.push('metadata.namespace: absent; the spec assumes namespace default');
  const target = spec.targetRef.name;
  const service = spec.service?.name ?? target;
  if (spec.provider && spec.provider !== 'istio') {
    untranslated.push(
      `spec.provider: ${spec.provider} is not supported; kanari moves weights on an Istio VirtualService, and the spec assumes one named ${service}`,
    );
  }
  if (spec.skipAnalysis) untranslated.push('spec.skipAnalysis: kanari always analyses');
  const serviceExtras = Object.keys(spec.service ?? {}).filter(
    (key) => !SERVICE_KEYS_TRANSLATED.has(key),
  );
  if (serviceExtras.length > 0) {
    untranslated.push(
      `spec.service.{${serviceExtras.join(', ')}}: Flagger generates the Services and VirtualService from these; kanari only moves the weights of a VirtualService you manage, so keep them there`,
    );
  }
  for (const key of ['autoscalerRef', 'ingressRef', 'upstreamRef', 'revertOnDeletion']) {
    if (spec[key] !== undefined)
      untranslated.push(`spec.${key}: kanari does not manage workloads, autoscalers or ingresses`);
  }

  const analysis = spec.analysis ?? {};
  if (!spec.analysis) untranslated.push('spec.analysis: absent; kanari defaults apply');
  for (const key of Object.keys(analysis)) {
    if (HANDLED_ANALYSIS.has(key)) continue;
    const why = WHY_ANALYSIS[key] ?? 'not translated';
    const items = analysis[key];
    if (key === 'webhooks' && Array.isArray(items)) {
      items.forEach((hook: { name?: unknown; type?: unknown }, index) => {
        const label = [hook?.name, hook?.type ? `(${hook.type})` : ''].filter(Boolean).join(' ');
        untranslated.push(`spec.analysis.webhooks[${index}] ${label}: ${why}`);
      });
    } else untranslated.push(`spec.analysis.${key}: ${why}`);
  }
  const metrics = (analysis.metrics ?? []).flatMap((metric, index) => {
    const result = translateMetric(metric, namespace, { name: metadata.name, service }, options);
    if (typeof result === 'string') {
      untranslated.push(`spec.analysis.metrics[${index}] (${metric.name}): ${result}`);
      return [];
    }
    return [result];
  });

  const primaryWorkload = `${target}-primary`;
  return {
    spec: {
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
        ...pick(analysis, ['interval', 'threshold', 'stepWeights', 'stepWeight', 'maxWeight']),
        ...(spec.progressDeadlineSeconds !== undefined
          ? { progressDeadline: seconds(spec.progressDeadlineSeconds) }
          : {}),
        metrics,
      },
    },
    untranslated,
  };
};

const seconds = (value: number): string =>
  value % 3600 === 0 ? `${value / 3600}h` : value % 60 === 0 ? `${value / 60}m` : `${value}s`;

const pick = <K extends keyof FlaggerAnalysis>(
  analysis: FlaggerAnalysis,
  keys: K[],
): Partial<Pick<FlaggerAnalysis, K>> =>
  Object.fromEntries(
    keys.filter((key) => analysis[key] !== undefined).map((key) => [key, analysis[key]]),
  ) as Partial<Pick<FlaggerAnalysis, K>>;

/** A kanari metric, or why there is none. */
const translateMetric = (
  metric: FlaggerMetric,
  namespace: string,
  names: { name: string; service: string },
  options: { templates?: readonly FlaggerMetricTemplate[] },
): MetricSpec | string => {
  const range = metric.thresholdRange ?? legacyRange(metric);
  if (!range) return 'no thresholdRange';
  const base = { name: metric.name, thresholdRange: range };
  const interval = metric.interval ? { interval: metric.interval } : {};
  if (!metric.templateRef) {
    if (isBuiltinMetric(metric.name)) return { ...base, ...interval };
    return `not a built-in metric (${metric.name}) and no templateRef`;
  }
  const ref = metric.templateRef;
  const refNamespace = ref.namespace ?? namespace;
  const template = options.templates?.find(
    (t) => t.metadata.name === ref.name && (t.metadata.namespace ?? namespace) === refNamespace,
  );
  if (!template) {
    return `its query lives in MetricTemplate ${refNamespace}/${ref.name}, which was not given (pass it with --template)`;
  }
  const provider = template.spec.provider?.type ?? 'prometheus';
  if (provider !== 'prometheus')
    return `MetricTemplate ${ref.name} uses provider ${provider}; kanari queries Prometheus`;
  if (!template.spec.query) return `MetricTemplate ${ref.name} has no query`;
  const query = renderFlaggerVariables(template.spec.query, {
    ...Object.fromEntries(
      Object.entries(metric.templateVariables ?? {}).map(([k, v]) => [`variables.${k}`, v]),
    ),
    name: names.name,
    service: names.service,
  });
  const unknown = unknownPlaceholders(query);
  if (unknown.length > 0)
    return `MetricTemplate ${ref.name} uses ${unknown.map((v) => `{{ ${v} }}`).join(', ')}, which kanari cannot fill`;
  return { ...base, query, ...interval };
};

const legacyRange = (metric: FlaggerMetric): ThresholdRange | undefined => {
  if (metric.threshold === undefined) return undefined;
  return metric.name === 'request-duration' ? { max: metric.threshold } : { min: metric.threshold };
};

/** Fills the Flagger-only variables; kanari's own (`namespace`, `target`, `interval`) stay. */
const renderFlaggerVariables = (query: string, values: Record<string, string>): string =>
  query.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) =>
    name in values && (FLAGGER_VARIABLES.includes(name) || name.startsWith('variables.'))
      ? (values[name] as string)
      : whole,
  );
