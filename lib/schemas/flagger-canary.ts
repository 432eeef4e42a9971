import { z } from 'zod';
import type { FlaggerCanary, FlaggerMetricTemplate } from '../domain/flagger-import.ts';

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
});

const metadata = z.looseObject({ name: z.string().min(1), namespace: z.string().optional() });

const canarySchema = z
  .looseObject({
    apiVersion: z.string().startsWith('flagger.app/', 'must be flagger.app/<version>'),
    kind: z.literal('Canary'),
    metadata,
    spec: z.looseObject({
      provider: z.string().optional(),
      targetRef: z.looseObject({ name: z.string().min(1), kind: z.string().optional() }),
      service: z.looseObject({ name: z.string().optional() }).optional(),
      progressDeadlineSeconds: z.number().int().positive().optional(),
      skipAnalysis: z.boolean().optional(),
      analysis: analysis.optional(),
      // v1alpha3 called it canaryAnalysis.
      canaryAnalysis: analysis.optional(),
    }),
  })
  .transform(({ spec: { canaryAnalysis, ...spec }, ...rest }) => ({
    ...rest,
    spec: { ...spec, ...(spec.analysis || !canaryAnalysis ? {} : { analysis: canaryAnalysis }) },
  }));

const templateSchema = z.looseObject({
  apiVersion: z.string().startsWith('flagger.app/'),
  kind: z.literal('MetricTemplate'),
  metadata,
  spec: z.looseObject({
    provider: z
      .looseObject({ type: z.string().optional(), address: z.string().optional() })
      .optional(),
    query: z.string().optional(),
  }),
});

export interface FlaggerDocuments {
  canaries: FlaggerCanary[];
  templates: FlaggerMetricTemplate[];
  /** One per document that is neither, or that is malformed: `document 2: spec.targetRef.name: ...`. */
  problems: string[];
}

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  ) || '(root)';

/** Sorts parsed YAML documents into Canaries and MetricTemplates; problems come back as data. */
export const parseFlaggerDocuments = (documents: readonly unknown[]): FlaggerDocuments => {
  const found: FlaggerDocuments = { canaries: [], templates: [], problems: [] };
  documents.forEach((document, index) => {
    if (document === null || document === undefined) return;
    const kind = (document as { kind?: unknown }).kind;
    const schema = kind === 'MetricTemplate' ? templateSchema : canarySchema;
    const result = schema.safeParse(document);
    if (!result.success) {
      for (const issue of result.error.issues)
        found.problems.push(`document ${index + 1}: ${pathOf(issue.path)}: ${issue.message}`);
    } else if (kind === 'MetricTemplate') {
      found.templates.push(result.data as FlaggerMetricTemplate);
    } else {
      found.canaries.push(result.data as FlaggerCanary);
    }
  });
  return found;
};
