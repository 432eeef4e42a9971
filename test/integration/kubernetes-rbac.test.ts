import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  createKubernetesClusterReader,
  createKubernetesTrafficRouter,
  loadKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

const RBAC: RbacObject[] = parseAllDocuments(
  readFileSync(new URL('../../infra/kubernetes-rbac.yml', import.meta.url), 'utf8'),
).map((doc) => doc.toJS() as RbacObject);

/** The rules of the Role bound to `group`. */
const rulesOf = (group: string): Rule[] => {
  const binding = RBAC.find(
    (o) => o.kind === 'RoleBinding' && o.subjects?.some((s) => s.name === group),
  );
  const role = RBAC.find((o) => o.kind === 'Role' && o.metadata.name === binding?.roleRef?.name);
  if (!role?.rules) throw new Error(`no Role is bound to ${group}`);
  return role.rules;
};

/** A request to the API as RBAC sees it: verb, resource, and whether it is in a namespace. */
const asRbac = ({ method, url }: { method: string; url: string }) => {
  const match =
    /^\/apis\/(?<group>[^/]+)\/[^/]+\/namespaces\/[^/]+\/(?<resource>[^/?]+)(?<name>\/[^/?]+)?/.exec(
      url,
    );
  if (!match?.groups) return { verb: method, resource: url, namespaced: false, group: '' };
  const { group = '', resource = '', name } = match.groups;
  const verb =
    method === 'PATCH'
      ? 'patch'
      : method === 'GET' && name
        ? 'get'
        : method === 'GET'
          ? 'list'
          : method;
  return { verb, resource, namespaced: true, group };
};

const allowed = (rules: Rule[], request: ReturnType<typeof asRbac>) =>
  request.namespaced &&
  rules.some(
    (r) =>
      r.apiGroups.includes(request.group) &&
      r.resources.includes(request.resource) &&
      r.verbs.includes(request.verb),
  );

describe('infra/kubernetes-rbac.yml', () => {
  it('holds namespaced Roles and their bindings only, with no wildcard', () => {
    expect(RBAC.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Role kanari-shift-traffic',
      'RoleBinding kanari-shift-traffic',
      'Role kanari-preflight',
      'RoleBinding kanari-preflight',
    ]);
    // Applied with -n in each namespace that holds rollouts.
    for (const o of RBAC) expect(o.metadata.namespace).toBeUndefined();
    expect(rulesOf('kanari:shift-traffic')).toEqual([
      {
        apiGroups: ['networking.istio.io'],
        resources: ['virtualservices'],
        verbs: ['get', 'list', 'patch'],
      },
      { apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: ['get'] },
    ]);
    expect(rulesOf('kanari:preflight')).toEqual([
      { apiGroups: ['networking.istio.io'], resources: ['virtualservices'], verbs: ['get'] },
      { apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: ['list'] },
    ]);
  });

  describe('covers every request the Kubernetes adapters make (recorded by the emulator)', () => {
    let emu: KubeEmulator;
    const seen: { method: string; url: string }[] = [];
    beforeAll(async () => {
      emu = await startKubeEmulator({ onResponse: (r) => seen.push(r) });
      emu.seed(seedVirtualService('shop'));
    });
    afterAll(() => emu?.stop());
    const kubeConfigs = () => ({
      sandbox: loadKubeConfig({ kubeconfigPath: emu.kubeconfigPath, context: 'sandbox' }),
    });
    const ref = { cluster: 'sandbox', namespace: 'shop', name: 'my-service' };

    it("shift-traffic's reads and weight patch", async () => {
      seen.length = 0;
      const router = createKubernetesTrafficRouter({ kubeConfigs: kubeConfigs() });
      const vs = await router.getVirtualService(ref);
      await router.patchVirtualService(ref, String(vs.metadata.resourceVersion), [
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 10 },
      ]);
      const requests = seen.map(asRbac);
      expect(requests.map((r) => r.verb)).toEqual(['get', 'patch']);
      for (const request of requests)
        expect(allowed(rulesOf('kanari:shift-traffic'), request), JSON.stringify(request)).toBe(
          true,
        );
      // And the preflight group could not have patched.
      expect(allowed(rulesOf('kanari:preflight'), requests[1] as ReturnType<typeof asRbac>)).toBe(
        false,
      );
    });

    it("the console preflight's reads", async () => {
      seen.length = 0;
      const reader = createKubernetesClusterReader({ kubeConfigs: kubeConfigs() });
      await reader.getVirtualService(ref);
      await reader.listDestinationRules('sandbox', 'shop');
      const requests = seen.map(asRbac);
      expect(requests.map((r) => `${r.verb} ${r.resource}`)).toEqual([
        'get virtualservices',
        'list destinationrules',
      ]);
      for (const request of requests)
        expect(allowed(rulesOf('kanari:preflight'), request), JSON.stringify(request)).toBe(true);
    });
  });
});
