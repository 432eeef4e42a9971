import { parse as parseYaml } from 'yaml';
import type { ResourceType, ServedVersion } from './crds.ts';
import { APPLY_PATCH, applyPatchBody, patchType } from './patch.ts';
import { badRequest, type FieldError, invalid, methodNotAllowed, notFound } from './status.ts';
import { atVersion, type KubeObject, type ObjectStore } from './store.ts';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './table.ts';
import { writeObject } from './write-object.ts';

export interface ApiContext {
  types: ResourceType[];
  store: ObjectStore;
}

/** A request for a custom resource collection (`name` absent) or one object. */
export interface ResourceRequest {
  method: string;
  type: ResourceType;
  version: ServedVersion;
  /** Absent for a list across all namespaces. */
  namespace?: string;
  name?: string;
  query: URLSearchParams;
  contentType?: string;
  accept?: string;
  body: string;
}

export interface ApiResponse {
  code: number;
  body: unknown;
  contentType?: string;
  warnings?: string[];
}

/** GET, LIST, POST, PUT, PATCH and DELETE on custom resources. */
export function serveResource(ctx: ApiContext, req: ResourceRequest): ApiResponse {
  const { method, type, version, namespace, name, query } = req;
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    // Approximation: watches are not implemented, so they are refused rather than faked.
    throw methodNotAllowed();
  }
  if (query.has('dryRun'))
    throw badRequest('dryRun is not supported by the kanari Kubernetes emulator');
  const gr = { group: type.group, resource: type.plural };
  if (name === undefined) {
    if (method === 'GET') return list(ctx, req);
    if (method === 'POST' && namespace !== undefined) {
      const result = write(ctx, req, parseObject(req), true);
      return { code: 201, body: result.object, warnings: result.warnings };
    }
    throw methodNotAllowed();
  }
  const ns = namespace ?? '';
  switch (method) {
    case 'GET': {
      const found = ctx.store.get(type, ns, name);
      if (!found) throw notFound(gr, name);
      return respondObjects(ctx, req, [atVersion(type, version.name, found)], false);
    }
    case 'PUT': {
      const result = write(ctx, req, parseObject(req), false);
      return { code: 200, body: result.object, warnings: result.warnings };
    }
    case 'PATCH':
      return patch(ctx, req, name, ns);
    case 'DELETE': {
      const deleted = ctx.store.delete(type, ns, name);
      if (!deleted) throw notFound(gr, name);
      return { code: 200, body: atVersion(type, version.name, deleted) };
    }
    default:
      throw methodNotAllowed();
  }
}

function write(ctx: ApiContext, req: ResourceRequest, body: unknown, create: boolean) {
  const target = {
    type: req.type,
    version: req.version,
    namespace: req.namespace ?? '',
    name: req.name,
  };
  return writeObject(ctx.store, target, body, {
    create,
    fieldValidation: req.query.get('fieldValidation') ?? undefined,
  });
}

function patch(
  ctx: ApiContext,
  req: ResourceRequest,
  name: string,
  namespace: string,
): ApiResponse {
  const type = patchType(req.contentType);
  const apply = type === APPLY_PATCH;
  const optionErrors: FieldError[] = [];
  if (apply && !req.query.get('fieldManager')) {
    optionErrors.push({
      field: 'fieldManager',
      reason: 'FieldValueRequired',
      message: 'Required value: is required for apply patch',
    });
  }
  if (!apply && req.query.has('force')) {
    optionErrors.push({
      field: 'force',
      reason: 'FieldValueForbidden',
      message: 'Forbidden: may not be specified for non-apply patch',
    });
  }
  // The apiserver validates PatchOptions before it looks the object up.
  if (optionErrors.length > 0)
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', optionErrors);
  const existing = ctx.store.get(req.type, namespace, name);
  if (!existing && !apply)
    throw notFound({ group: req.type.group, resource: req.type.plural }, name);
  const current = existing ? atVersion(req.type, req.version.name, existing) : undefined;
  const candidate = applyPatchBody(type, current, req.body);
  const result = write(ctx, req, candidate, !existing);
  return { code: result.created ? 201 : 200, body: result.object, warnings: result.warnings };
}

function list(ctx: ApiContext, req: ResourceRequest): ApiResponse {
  const selector = parseLabelSelector(req.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(req.query.get('fieldSelector') ?? '');
  const items = ctx.store
    .list(req.type, req.namespace)
    .filter((o) => selector(o) && fields(o))
    .map((o) => atVersion(req.type, req.version.name, o));
  return respondObjects(ctx, req, items, true);
}

function respondObjects(
  ctx: ApiContext,
  req: ResourceRequest,
  items: KubeObject[],
  asList: boolean,
): ApiResponse {
  if (wantsTable(req.accept)) {
    const rv = asList ? ctx.store.resourceVersion : (items[0]?.metadata.resourceVersion ?? '');
    const table = toTable(req.version, items, rv, req.query.get('includeObject'), new Date());
    return { code: 200, body: table, contentType: TABLE_CONTENT_TYPE };
  }
  if (!asList) return { code: 200, body: items[0] };
  return {
    code: 200,
    body: {
      apiVersion: `${req.type.group}/${req.version.name}`,
      kind: req.type.listKind,
      metadata: { resourceVersion: ctx.store.resourceVersion },
      items,
    },
  };
}

function parseObject(req: ResourceRequest): unknown {
  const yaml = /^application\/(x-)?yaml\b/.test(req.contentType ?? '');
  try {
    return yaml ? parseYaml(req.body) : JSON.parse(req.body);
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

type Matcher = (object: KubeObject) => boolean;

/** Equality-based label selectors (`a=b`, `a!=b`, `a`, `!a`); set-based ones are refused. */
function parseLabelSelector(selector: string): Matcher {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const tests = terms.map((term): Matcher => {
    const labels = (o: KubeObject) => (o.metadata.labels ?? {}) as Record<string, string>;
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const [, key = '', op, value] = m;
      return op === '!=' ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
    }
    if (/^![^!=\s]+$/.test(term)) return (o) => !(term.slice(1) in labels(o));
    if (/^[^!=\s(),]+$/.test(term)) return (o) => term in labels(o);
    throw badRequest(
      `unable to parse requirement: the emulator supports equality-based selectors only: ${term}`,
    );
  });
  return (o) => tests.every((t) => t(o));
}

/** `metadata.name` and `metadata.namespace`, the fields every resource supports. */
function parseFieldSelector(selector: string): Matcher {
  const tests = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term): Matcher => {
      const m = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw badRequest(`field label not supported: ${term.split(/[=!]/)[0]}`);
      const [, field, op, value] = m;
      const get = (o: KubeObject) =>
        field === 'metadata.name' ? o.metadata.name : o.metadata.namespace;
      return op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value;
    });
  return (o) => tests.every((t) => t(o));
}
