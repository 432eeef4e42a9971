import jsonPatch from 'fast-json-patch';
import jsonMergePatch from 'json-merge-patch';
import { parse as parseYaml } from 'yaml';
import { badRequest, patchNotApplicable, unsupportedMediaType } from './status.ts';
import type { KubeObject } from './store.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
/** What the apiserver accepts for custom resources: no strategic merge patch. */
export const CUSTOM_RESOURCE_PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];

/** fast-json-patch errors that mean the patch document itself is malformed (400, not 422). */
const MALFORMED = new Set([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

/** The media type without parameters, lower-cased; 415 unless custom resources accept it. */
export function patchType(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!CUSTOM_RESOURCE_PATCH_TYPES.includes(type)) {
    throw unsupportedMediaType(CUSTOM_RESOURCE_PATCH_TYPES);
  }
  return type;
}

/**
 * Applies a patch body to the object as the client sees it (at the requested version) and
 * returns the candidate to write. `current` is undefined only for an apply that creates.
 */
export function applyPatchBody(
  type: string,
  current: KubeObject | undefined,
  body: string,
): unknown {
  if (type === APPLY_PATCH) return applyConfiguration(current, body);
  const patch = parseJson(body);
  if (type === MERGE_PATCH) return jsonMergePatch.apply(structuredClone(current), patch);
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  try {
    return jsonPatch.applyPatch(structuredClone(current), patch, true, false).newDocument;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (MALFORMED.has(name)) throw badRequest((error as Error).message.split('\n')[0] ?? name);
    throw patchNotApplicable();
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/**
 * Server-side apply, approximated: the applied configuration is merged into the live object
 * (maps merge key by key, lists and scalars are replaced, which is what SSA does for CRD
 * lists without list-type markers). There are no managedFields, so fields dropped from a
 * later apply are not removed and there are no field-manager conflicts.
 */
function applyConfiguration(current: KubeObject | undefined, body: string): unknown {
  let applied: unknown;
  try {
    applied = parseYaml(body);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (typeof applied !== 'object' || applied === null || Array.isArray(applied)) {
    throw badRequest('the object provided is unrecognized (must be of type Object)');
  }
  const config = applied as Record<string, unknown>;
  if (typeof config.apiVersion !== 'string' || typeof config.kind !== 'string') {
    throw badRequest(
      'invalid object type: apiVersion and kind must be set in an applied configuration',
    );
  }
  return current ? merge(structuredClone(current), config) : config;
}

function merge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(patch)) {
    const existing = target[key];
    if (value === null) delete target[key];
    else if (isPlainObject(value) && isPlainObject(existing)) target[key] = merge(existing, value);
    else target[key] = structuredClone(value);
  }
  return target;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
