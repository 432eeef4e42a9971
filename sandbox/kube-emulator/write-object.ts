import { randomBytes } from 'node:crypto';
import type { ResourceType, ServedVersion } from './crds.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  type FieldError,
  invalid,
  notFound,
} from './status.ts';
import { atVersion, type KubeObject, type ObjectStore } from './store.ts';

export interface WriteTarget {
  type: ResourceType;
  version: ServedVersion;
  namespace: string;
  /** The name in the URL; absent for a POST to the collection. */
  name?: string;
}

export interface WriteOptions {
  /** `fieldValidation` query parameter: Ignore, Warn (the default) or Strict. */
  fieldValidation?: string;
  /** POST and server-side apply of an absent object. */
  create: boolean;
  /** seed(): keep `status` even though the status subresource would normally own it. */
  keepStatus?: boolean;
  /** seed(): store a fresh object (new uid, generation 1) in place of whatever is stored. */
  force?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  created: boolean;
  warnings: string[];
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The write path shared by POST, PUT, every PATCH type and seed(), in the apiserver's order:
 * decode checks (type, name, namespace), pruning and strict field validation, the
 * resourceVersion precondition, schema validation, then storage.
 */
export function writeObject(
  store: ObjectStore,
  target: WriteTarget,
  body: unknown,
  options: WriteOptions,
): WriteResult {
  const { type, version, namespace } = target;
  const expectedApiVersion = `${type.group}/${version.name}`;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${type.kind})`);
  }
  const object = structuredClone(body) as KubeObject;
  if (object.kind !== type.kind || object.apiVersion !== expectedApiVersion) {
    throw badRequest(
      `the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
  if (typeof object.metadata !== 'object' || object.metadata === null) {
    object.metadata = {} as KubeObject['metadata'];
  }
  const meta = object.metadata;
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  meta.namespace = namespace;
  if (!meta.name && typeof meta.generateName === 'string' && options.create && !target.name) {
    meta.name = `${meta.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
  }
  if (target.name !== undefined && meta.name !== target.name) {
    throw badRequest(
      `the name of the object (${meta.name ?? ''}) does not match the name on the URL (${target.name})`,
    );
  }
  const name = meta.name ?? '';
  const nameErrors = validateName(name);
  if (nameErrors.length > 0) throw invalid(type, name, nameErrors);

  const unknown = version.schema.prune(object);
  const validation = options.fieldValidation ?? 'Warn';
  if (unknown.length > 0 && validation === 'Strict') {
    throw badRequest(
      `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  const warnings = validation === 'Ignore' ? [] : unknown.map((f) => `unknown field "${f}"`);

  const gr = { group: type.group, resource: type.plural };
  const existing = store.get(type, namespace, name);
  if (!options.create && !existing && !options.force) throw notFound(gr, name);
  if (version.statusSubresource && !options.keepStatus) {
    // With the status subresource on, writes to the main resource never change status.
    if (existing?.status === undefined) delete object.status;
    else object.status = existing.status;
  }
  if (existing && !options.create && !options.force) {
    const sent = meta.resourceVersion;
    if (sent !== undefined && sent !== '' && sent !== existing.metadata.resourceVersion) {
      throw conflict(gr, name);
    }
  }
  const schemaErrors = version.schema.validate(object);
  if (schemaErrors.length > 0) throw invalid(type, name, schemaErrors);

  if (options.create && existing && !options.force) throw alreadyExists(gr, name);
  // Approximation: a resourceVersion sent on create is ignored (the apiserver refuses it).
  if (existing && options.force) store.delete(type, namespace, name);
  const stored =
    existing && !options.force ? store.update(type, existing, object) : store.create(type, object);
  return { object: atVersion(type, version.name, stored), created: !existing, warnings };
}

function validateName(name: string): FieldError[] {
  if (name === '') {
    return [
      {
        field: 'metadata.name',
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
      },
    ];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [
      {
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}
