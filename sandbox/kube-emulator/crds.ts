import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { pruneUnknownFields } from './prune.ts';
import type { ObjectValidator } from './schema.ts';

/** The subset of an OpenAPI v3 schema, with Kubernetes extensions, that the emulator reads. */
export interface KubeSchema {
  type?: string;
  properties?: Record<string, KubeSchema>;
  additionalProperties?: KubeSchema | boolean;
  items?: KubeSchema;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  [key: string]: unknown;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** How the emulator checks an object of one served version before it stores it. */
export interface VersionSchema {
  /**
   * Drops, in place, the fields the schema does not declare, and `null` where the schema
   * allows none, as the apiserver prunes custom resources; returns the dropped fields' paths
   * (`spec.http[0].foo`) so a `fieldValidation=Strict` request can be refused.
   */
  prune(object: Record<string, unknown>): string[];
  /** The field errors of a pruned object, worded as the apiserver words them; empty when valid. */
  validate: ObjectValidator;
}

export interface ServedVersion {
  name: string;
  storage: boolean;
  schema: VersionSchema;
  printerColumns: PrinterColumn[];
  statusSubresource: boolean;
}

/** One custom resource type: from a CustomResourceDefinition, or built in (istio-types.ts). */
export interface ResourceType {
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** Served versions, highest priority first (the order discovery lists them in). */
  versions: ServedVersion[];
}

interface CrdDocument {
  kind?: string;
  spec?: {
    group: string;
    scope: string;
    names: {
      kind: string;
      listKind?: string;
      plural: string;
      singular?: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema?: KubeSchema };
      additionalPrinterColumns?: PrinterColumn[];
      subresources?: { status?: object };
    }>;
  };
}

/**
 * Reads every CustomResourceDefinition in the `*.yaml` / `*.yml` files of `dir`; `compile`
 * turns a version's `openAPIV3Schema` into a validator, on the first object it checks.
 */
export async function loadCustomResourceDefinitions(
  dir: string,
  compile: (schema: KubeSchema) => ObjectValidator,
): Promise<ResourceType[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const types: ResourceType[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const crd = doc.toJS() as CrdDocument | null;
      if (crd?.kind === 'CustomResourceDefinition' && crd.spec)
        types.push(toResourceType(crd.spec, compile));
    }
  }
  return types;
}

function toResourceType(
  spec: NonNullable<CrdDocument['spec']>,
  compile: (schema: KubeSchema) => ObjectValidator,
): ResourceType {
  const names = spec.names;
  const versions = spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      name: v.name,
      storage: v.storage,
      schema: structuralSchema(
        v.schema?.openAPIV3Schema ?? {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        },
        compile,
      ),
      printerColumns: v.additionalPrinterColumns ?? [],
      statusSubresource: v.subresources?.status !== undefined,
    }))
    .sort((a, b) => compareVersionPriority(a.name, b.name));
  return {
    group: spec.group,
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    versions,
  };
}

function structuralSchema(
  schema: KubeSchema,
  compile: (schema: KubeSchema) => ObjectValidator,
): VersionSchema {
  let validate: ObjectValidator | undefined;
  return {
    prune: (object) => pruneUnknownFields(object, schema),
    validate: (object) => {
      validate ??= compile(schema);
      return validate(object);
    },
  };
}

/**
 * Kubernetes version priority: GA before beta before alpha, higher numbers first, anything
 * not shaped like a Kubernetes version last in alphabetical order.
 */
export function compareVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  for (let i = 0; i < 3; i++) {
    const diff = (rb[i] ?? 0) - (ra[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
