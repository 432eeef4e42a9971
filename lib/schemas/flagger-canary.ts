import * as z from 'zod';
import type { FlaggerCanary, FlaggerMetricTemplate } from '../domain/flagger-types.ts';
import { formatPath } from './issue-path.ts';

/*
 * Flagger's Canary and MetricTemplate, checked only as far as the import reads them. Objects
 * are loose: every field the import does not translate must survive to be listed as such.
 */
const range = z.looseObject({ min: z.number().optional(), max: z.number().optional() });

const metric = z.looseObject({
  name: z.string().min(1),
  interval: z.string().optional(),
  thresholdRange: range.optional(),
  threshold: z.number().optional(),
  query: z.string().optional(),
  templateRef: z
    .looseObject({ name: z.string().min(1), namespace: z.string().optional() })
    .optional(),
  templateVariables: z.record(z.string(), z.string()).optional(),
});

const analysis = z.looseObject({
  interval: z.string().optional(),
  threshold: z.number().int().optional(),
  stepWeight: z.number().optional(),
  stepWeights: z.array(z.number()).optional(),
  maxWeight: z.number().optional(),
  metrics: z.array(metric).optional(),
  webhooks: z.array(z.unknown()).optional(),
});

const metadata = z.looseObject({ name: z.string().min(1), namespace: z.string().optional() });

const canarySchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Canary'),
  metadata,
  spec: z.looseObject({
    provider: z.string().optional(),
    targetRef: z.looseObject({ name: z.string().min(1), kind: z.string().optional() }),
    service: z.looseObject({ name: z.string().optional() }).optional(),
    progressDeadlineSeconds: z.number().int().positive().optional(),
    skipAnalysis: z.boolean().optional(),
    analysis: analysis.optional(),
    canaryAnalysis: analysis.optional(),
  }),
});

const templateSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('MetricTemplate'),
  metadata,
  spec: z.looseObject({
    provider: z
      .looseObject({ type: z.string().optional(), address: z.string().optional() })
      .optional(),
    query: z.string().optional(),
  }),
});

/** A Kubernetes object in the input that is neither a Flagger Canary nor a MetricTemplate. */
export interface SkippedObject {
  kind: string;
  name: string;
}

export interface FlaggerDocuments {
  canaries: FlaggerCanary[];
  templates: FlaggerMetricTemplate[];
  /** Other Kubernetes objects (a Deployment, an HPA, ...), named so the user sees they were skipped. */
  skipped: SkippedObject[];
  /** One per malformed Flagger object: `document 2: spec.targetRef.name: ...`. */
  problems: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Sorts parsed YAML documents into Canaries, MetricTemplates and the rest. A `kind: List`
 * (what `kubectl get -o yaml` prints) is opened; problems come back as data.
 */
export const parseFlaggerDocuments = (documents: readonly unknown[]): FlaggerDocuments => {
  const found: FlaggerDocuments = { canaries: [], templates: [], skipped: [], problems: [] };
  const sort = (document: unknown, where: string): void => {
    if (document === null || document === undefined) return;
    if (!isRecord(document) || typeof document.kind !== 'string') {
      found.problems.push(`${where}: not a Kubernetes object (it has no kind)`);
      return;
    }
    const { kind, apiVersion } = document;
    if (kind === 'List' && Array.isArray(document.items)) {
      document.items.forEach((item, index) => {
        sort(item, `${where}, items[${index}]`);
      });
      return;
    }
    const flagger = typeof apiVersion === 'string' && apiVersion.startsWith('flagger.app/');
    if (!flagger || (kind !== 'Canary' && kind !== 'MetricTemplate')) {
      const name = isRecord(document.metadata) ? document.metadata.name : undefined;
      found.skipped.push({ kind, name: typeof name === 'string' ? name : '(unnamed)' });
      return;
    }
    const result = (kind === 'Canary' ? canarySchema : templateSchema).safeParse(document);
    if (!result.success) {
      for (const issue of result.error.issues)
        found.problems.push(`${where}: ${formatPath(issue.path)}: ${issue.message}`);
      // The schemas transform nothing, so the document itself is kept: its fields stay in the
      // user's order for the list of what was not translated.
    } else if (kind === 'MetricTemplate') {
      found.templates.push(document as FlaggerMetricTemplate);
    } else {
      found.canaries.push(document as FlaggerCanary);
    }
  };
  documents.forEach((document, index) => {
    sort(document, `document ${index + 1}`);
  });
  return found;
};
