import { Ajv, type AnySchema, type ErrorObject } from 'ajv';
import type { KubeSchema } from './crds.ts';
import type { FieldError } from './status.ts';

/**
 * Validates custom resources against a CRD version's `openAPIV3Schema` with ajv, the way the
 * apiextensions-apiserver does for structural schemas. Approximations:
 * - `x-kubernetes-validations` (CEL rules) are ignored: there is no CEL evaluator here, so an
 *   object the real apiserver would reject by a CEL rule (e.g. a bad duration) is accepted.
 * - `metadata` is not validated by the schema; the write path checks name and namespace.
 * - formats: only `date-time` and `byte` are checked; `int32`, `int64`, `double`, ... are
 *   accepted as plain numbers, as kube-openapi does not range-check them either.
 * - error wording follows `field.Error` (`spec.x: Invalid value: ...`), but ajv decides which
 *   errors exist, so multi-error messages may differ from the apiserver's.
 */
export type ObjectValidator = (object: unknown) => FieldError[];

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Compiles schemas lazily and once per distinct schema (served versions often share one). */
export function createSchemaCompiler(): (schema: KubeSchema) => ObjectValidator {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    formats: {
      'date-time': RFC3339,
      byte: BASE64,
      int32: true,
      int64: true,
      float: true,
      double: true,
    },
  });
  const cache = new Map<string, ObjectValidator>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validator = cache.get(key);
    if (!validator) {
      const compiled = ajv.compile(toJsonSchema(withoutMetadata(schema)) as AnySchema);
      validator = (object) =>
        compiled(object) ? [] : toFieldErrors(compiled.errors ?? [], object);
      cache.set(key, validator);
    }
    return validator;
  };
}

function withoutMetadata(schema: KubeSchema): KubeSchema {
  const { metadata: _ignored, ...properties } = schema.properties ?? {};
  return { ...schema, properties };
}

/** Rewrites the Kubernetes extensions into plain JSON Schema that ajv understands. */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'x-kubernetes-validations' || key === 'description') continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (key === 'enum' || key === 'required' || key === 'default' || key === 'example') {
      out[key] = value;
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (source['x-kubernetes-int-or-string'] === true && out.anyOf === undefined) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  return out;
}

/** `/spec/http/0/route/0/weight` → `spec.http[0].route[0].weight`. */
export function fieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : path ? `.${segment}` : segment;
  }
  return path;
}

function goType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

/** The value an ajv `instancePath` points at inside `object`. */
function valueAt(object: unknown, pointer: string): unknown {
  let value = object;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/**
 * ajv's errors for `object` as the apiserver's field errors. Shared by the CRD schemas
 * compiled here and the validators that @kubernetes-models/istio ships.
 */
export function toFieldErrors(errors: ErrorObject[], object: unknown): FieldError[] {
  // A failed anyOf/oneOf also reports every branch's failure, before its own error and at or
  // below its path; the apiserver reports the composite only, so drop those.
  const kept = errors.filter((e, i) =>
    errors
      .slice(i + 1)
      .every(
        (c) =>
          !['anyOf', 'oneOf', 'not'].includes(c.keyword) ||
          (e.instancePath !== c.instancePath && !e.instancePath.startsWith(`${c.instancePath}/`)),
      ),
  );
  const seen = new Set<string>();
  return kept
    .map((e) => toFieldError(e, valueAt(object, e.instancePath)))
    .filter((e) => {
      const key = `${e.field}|${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function toFieldError(error: ErrorObject, data: unknown): FieldError {
  const field = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return {
        field: field ? `${field}.${missing}` : missing,
        reason: 'FieldValueRequired',
        message: 'Required value',
      };
    }
    case 'type': {
      const expected = Array.isArray(params.type) ? params.type[0] : params.type;
      const actual = goType(data);
      return {
        field,
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "${actual}": ${field} in body must be of type ${expected}: "${actual}"`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(show).join(', ');
      return {
        field,
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${show(data)}: supported values: ${allowed}`,
      };
    }
    case 'maxItems':
      return {
        field,
        reason: 'FieldValueTooMany',
        message: `Too many: ${(data as unknown[]).length}: must have at most ${params.limit} items`,
      };
    case 'maxLength':
      return {
        field,
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${params.limit} bytes`,
      };
    default:
      return {
        field,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${show(data)}: ${field} in body ${kubeWording(error)}`,
      };
  }
}

function kubeWording(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'minimum':
      return `should be greater than or equal to ${params.limit}`;
    case 'maximum':
      return `should be less than or equal to ${params.limit}`;
    case 'pattern':
      return `should match '${params.pattern}'`;
    case 'format':
      return `must be of type ${params.format}`;
    default:
      return error.message ?? 'is invalid';
  }
}
