import type { KubeSchema } from './crds.ts';

const TYPE_META = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Drops, in place, the fields a structural schema does not declare, as the apiserver prunes
 * custom resources; returns their paths (`spec.http[0].foo`) so a `fieldValidation=Strict`
 * request can be refused and a `Warn` one warned. Also drops `null` where the schema is not
 * `nullable`, as the apiserver does before validation.
 *
 * Approximation: `metadata` is left as sent (the apiserver decodes it into ObjectMeta and
 * loses unknown keys there too), and `x-kubernetes-embedded-resource` is not special-cased.
 */
export function pruneUnknownFields(object: Record<string, unknown>, schema: KubeSchema): string[] {
  const unknown: string[] = [];
  walkObject(object, schema, '', unknown, true);
  return unknown;
}

function walk(value: unknown, schema: KubeSchema, path: string, unknown: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items)
      value.forEach((v, i) => {
        walk(v, items, `${path}[${i}]`, unknown);
      });
    return;
  }
  walkObject(value as Record<string, unknown>, schema, path, unknown, false);
}

function walkObject(
  object: Record<string, unknown>,
  schema: KubeSchema,
  path: string,
  unknown: string[],
  root: boolean,
): void {
  if (schema['x-kubernetes-int-or-string'] === true) return;
  const properties = schema.properties ?? {};
  const additional =
    typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const preserve =
    schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
  for (const key of Object.keys(object)) {
    if (root && TYPE_META.has(key)) continue;
    const childPath = path ? `${path}.${key}` : key;
    const child = Object.hasOwn(properties, key) ? properties[key] : additional;
    if (!child) {
      if (!preserve) {
        unknown.push(childPath);
        delete object[key];
      }
      continue;
    }
    if (object[key] === null && child.nullable !== true) {
      delete object[key];
      continue;
    }
    walk(object[key], child, childPath, unknown);
  }
}
