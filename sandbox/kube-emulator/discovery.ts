import { compareVersionPriority, type ResourceType } from './crds.ts';

/**
 * Legacy (unaggregated) discovery documents. kubectl 1.32 asks for aggregated discovery
 * (apidiscovery.k8s.io/v2) first and falls back to these when the answer is plain
 * application/json, as it does against any apiserver older than 1.26.
 */

/** The verbs the emulator implements; `watch` and `deletecollection` are not offered. */
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

export const KUBERNETES_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kanari-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function coreVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** Only namespaces, read-only, so that kubectl can check one exists. */
export function coreResources(): object {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      {
        name: 'namespaces',
        singularName: 'namespace',
        namespaced: false,
        kind: 'Namespace',
        verbs: ['get', 'list'],
        shortNames: ['ns'],
      },
    ],
  };
}

function groupVersions(types: ResourceType[], group: string): string[] {
  const versions = new Set(
    types.filter((t) => t.group === group).flatMap((t) => t.versions.map((v) => v.name)),
  );
  return [...versions].sort(compareVersionPriority);
}

function apiGroup(types: ResourceType[], group: string): object {
  const versions = groupVersions(types, group).map((version) => ({
    groupVersion: `${group}/${version}`,
    version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function groupList(types: ResourceType[]): object {
  const groups = [...new Set(types.map((t) => t.group))].sort();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(types, g)) };
}

export function groupDocument(types: ResourceType[], group: string): object | undefined {
  if (!types.some((t) => t.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(types, group) };
}

export function resourceList(
  types: ResourceType[],
  group: string,
  version: string,
): object | undefined {
  const served = types.filter(
    (t) => t.group === group && t.versions.some((v) => v.name === version),
  );
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: served.map((t) => ({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    })),
  };
}
