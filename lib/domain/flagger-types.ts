import type { MetricSpec, ThresholdRange } from './rollout-spec.ts';

/**
 * The parts of a Flagger Canary (flagger.app/v1beta1) that the import reads. Every other
 * field is kept as it was, so that the import can list it as not translated.
 */
export interface FlaggerCanary extends Record<string, unknown> {
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
  spec: {
    provider?: string;
    targetRef: { name: string; kind?: string } & Record<string, unknown>;
    service?: { name?: string } & Record<string, unknown>;
    progressDeadlineSeconds?: number;
    skipAnalysis?: boolean;
    analysis?: FlaggerAnalysis;
    /** v1alpha3's name for `analysis`; Flagger reads it when `analysis` is absent. */
    canaryAnalysis?: FlaggerAnalysis;
  } & Record<string, unknown>;
}

export interface FlaggerAnalysis extends Record<string, unknown> {
  interval?: string;
  threshold?: number;
  stepWeight?: number;
  stepWeights?: number[];
  maxWeight?: number;
  metrics?: FlaggerMetric[];
  webhooks?: unknown[];
}

export interface FlaggerMetric extends Record<string, unknown> {
  name: string;
  interval?: string;
  thresholdRange?: ThresholdRange;
  /** Deprecated in Flagger: a minimum for the built-in success rate, a maximum for the rest. */
  threshold?: number;
  /** Deprecated in Flagger: in-line PromQL. */
  query?: string;
  templateRef?: { name: string; namespace?: string };
  templateVariables?: Record<string, string>;
}

/** A Flagger MetricTemplate: where a templated metric's query lives. */
export interface FlaggerMetricTemplate extends Record<string, unknown> {
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
  spec: { provider?: { type?: string; address?: string }; query?: string } & Record<
    string,
    unknown
  >;
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
    metrics: MetricSpec[];
  };
}

export interface FlaggerImport {
  spec: ImportedSpec;
  /** What could not be carried over, each as `path: why`, in the order of the input. */
  untranslated: string[];
  /** Why the spec cannot be used as it is (e.g. no metric to judge); empty when it can. */
  problems: string[];
  /** The MetricTemplates the spec's metrics came from. */
  templatesUsed: FlaggerMetricTemplate[];
}
