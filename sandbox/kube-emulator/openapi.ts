import { createHash } from 'node:crypto';
import type { ResourceType } from './crds.ts';

/**
 * Just enough OpenAPI v3 for kubectl's field-validation check: `kubectl apply` (client- or
 * server-side) looks for a PATCH operation tagged with the object's group/version/kind that
 * accepts `fieldValidation`, then leaves validation to the server. Approximation: operations
 * carry no request or response schemas and `components` is empty, so `kubectl explain` has
 * nothing to show, and kubectl's client-side apply falls back to a JSON merge patch, which is
 * what it sends for custom resources anyway.
 */
export function openApiRoot(types: ResourceType[]): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions(types)) {
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiGroupVersion(types, gv)))
      .digest('hex')
      .slice(0, 128);
    paths[`apis/${gv}`] = { serverRelativeURL: `/openapi/v3/apis/${gv}?hash=${hash}` };
  }
  return { paths };
}

/** The document for one group/version (`networking.istio.io/v1`), or undefined. */
export function openApiGroupVersion(
  types: ResourceType[],
  groupVersion: string,
): object | undefined {
  const [group, version] = groupVersion.split('/');
  const served = types.filter(
    (t) => t.group === group && t.versions.some((v) => v.name === version),
  );
  if (served.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const type of served) {
    const gvk = { group: type.group, version, kind: type.kind };
    const scope = type.namespaced ? '/namespaces/{namespace}' : '';
    const base = `/apis/${groupVersion}${scope}/${type.plural}`;
    const operation = (id: string, params: string[]) => ({
      operationId: `${id}${type.kind}`,
      'x-kubernetes-group-version-kind': gvk,
      parameters: params.map((name) => ({
        name,
        in: 'query',
        schema: { type: 'string', uniqueItems: true },
      })),
      responses: { '200': { description: 'OK' } },
    });
    const writeParams = ['dryRun', 'fieldManager', 'fieldValidation'];
    paths[base] = {
      get: operation('list', ['labelSelector', 'fieldSelector', 'limit']),
      post: operation('create', writeParams),
    };
    paths[`${base}/{name}`] = {
      get: operation('read', []),
      put: operation('replace', writeParams),
      patch: operation('patch', [...writeParams, 'force']),
      delete: operation('delete', []),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas: {} },
  };
}

function groupVersions(types: ResourceType[]): string[] {
  return [...new Set(types.flatMap((t) => t.versions.map((v) => `${t.group}/${v.name}`)))].sort();
}
