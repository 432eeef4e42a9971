import type { ErrorObject } from 'ajv';
import type { VersionSchema } from './crds.ts';
import { toFieldErrors } from './schema.ts';

/**
 * A @kubernetes-models class. Its `validate()` checks `this` with a validator generated from
 * the project's CRD schema (ajv, all errors) and throws ajv's ValidationError.
 */
export interface ModelClass {
  prototype: { validate(this: unknown): void };
}

/** Top-level fields the write path checks itself, and those Istio's CRDs keep as sent. */
const TYPE_META = new Set(['apiVersion', 'kind', 'metadata']);
const PRESERVED = new Set(['status']);

/**
 * The checks of one served version, from the validator a @kubernetes-models class ships.
 *
 * Those validators accept unknown fields (the generated schemas have no
 * `additionalProperties: false`), and the package ships no schema to prune with. The
 * validator does read every field its schema declares, though, present or not, so running it
 * on a traced copy tells which fields of an object are declared: the rest are the unknown
 * fields the apiserver would prune. Approximations: an object whose schema declares no field
 * at all (a free-form one) is kept whole, and so is `status`, which Istio's CRDs mark
 * `x-kubernetes-preserve-unknown-fields`. `metadata` is left to the write path, as with CRDs.
 */
export function modelSchema(model: ModelClass): VersionSchema {
  const run = (object: unknown): ErrorObject[] => {
    try {
      model.prototype.validate.call(object);
      return [];
    } catch (error) {
      const errors = (error as { errors?: unknown }).errors;
      if (Array.isArray(errors)) return errors as ErrorObject[];
      throw error;
    }
  };
  return {
    validate(object) {
      const body = withoutMetadata(object);
      return toFieldErrors(run(body), body);
    },
    prune(object) {
      for (const key of Object.keys(object)) {
        if (object[key] === null) delete object[key];
        else if (!TYPE_META.has(key) && !PRESERVED.has(key)) dropNulls(object[key]);
      }
      const body = withoutMetadata(object) as Record<string, unknown>;
      const { traced, reads } = trace(body);
      run(traced);
      const unknown: string[] = [];
      for (const key of Object.keys(object)) {
        if (TYPE_META.has(key)) continue;
        if (!reads.get(body)?.has(key)) {
          unknown.push(key);
          delete object[key];
        } else if (!PRESERVED.has(key)) {
          dropUnread(object[key], key, reads, unknown);
        }
      }
      return unknown;
    },
  };
}

function withoutMetadata(object: unknown): unknown {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return object;
  const { metadata: _ignored, ...rest } = object as Record<string, unknown>;
  return rest;
}

type Reads = WeakMap<object, Set<string>>;

/** A view of `value` that records, per object, the property names read from it. */
function trace(value: object): { traced: unknown; reads: Reads } {
  const reads: Reads = new WeakMap();
  const wrap = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const keys = reads.get(v) ?? new Set<string>();
    reads.set(v, keys);
    return new Proxy(v, {
      get(target, key) {
        if (typeof key === 'string') keys.add(key);
        return wrap(Reflect.get(target, key));
      },
    });
  };
  return { traced: wrap(value), reads };
}

function dropUnread(value: unknown, path: string, reads: Reads, unknown: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      dropUnread(v, `${path}[${i}]`, reads, unknown);
    });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const read = reads.get(value);
  if (!read || read.size === 0) return; // free-form, or never reached past a type error
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const child = `${path}.${key}`;
    if (read.has(key)) dropUnread(object[key], child, reads, unknown);
    else {
      unknown.push(child);
      delete object[key];
    }
  }
}

/**
 * Drops `null` field values. The apiserver drops them where the schema is not `nullable`;
 * the generated validators accept null for every array and object, so it cannot be told
 * from them. Approximation: Istio's few nullable fields (protobuf wrappers such as
 * `corsPolicy.allowCredentials`) lose an explicit null too, which Istio reads as unset anyway.
 */
function dropNulls(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) dropNulls(item);
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (object[key] === null) delete object[key];
    else dropNulls(object[key]);
  }
}
