import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkPrometheus, chooseContext } from '../../sandbox/byo-cluster.ts';

const dir = mkdtempSync(join(tmpdir(), 'kanari-byo-unit-'));

const kubeconfigFile = (name: string, currentContext?: string): string => {
  const file = join(dir, name);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'kind-a',
          cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': 'ca-a.pem' },
        },
        { name: 'k3d-b', cluster: { server: 'https://127.0.0.1:7443' } },
      ],
      users: [
        { name: 'kind-a', user: { token: 'token-a' } },
        {
          name: 'k3d-b',
          user: { 'client-certificate': 'certs/b.crt', 'client-key': 'certs/b.key' },
        },
      ],
      contexts: [
        { name: 'kind-a', context: { cluster: 'kind-a', user: 'kind-a', namespace: 'apps' } },
        { name: 'k3d-b', context: { cluster: 'k3d-b', user: 'k3d-b' } },
      ],
      ...(currentContext ? { 'current-context': currentContext } : {}),
    }),
  );
  return file;
};

describe('choosing the kubeconfig context of your own cluster', () => {
  it("defaults to the file's current-context and keeps only it, its cluster and its user", () => {
    const chosen = chooseContext(kubeconfigFile('current', 'k3d-b'));
    expect(chosen.name).toBe('k3d-b');
    expect(chosen.server).toBe('https://127.0.0.1:7443');
    const written = parse(chosen.kubeconfigYaml);
    expect(written['current-context']).toBe('k3d-b');
    expect(written.contexts.map((c: { name: string }) => c.name)).toEqual(['k3d-b']);
    expect(written.clusters.map((c: { name: string }) => c.name)).toEqual(['k3d-b']);
    expect(written.users).toHaveLength(1);
    // Relative paths would break once the file is written elsewhere.
    expect(written.users[0].user['client-certificate']).toBe(join(dir, 'certs/b.crt'));
    expect(written.users[0].user['client-key']).toBe(join(dir, 'certs/b.key'));
  });

  it('takes --context over the current-context, with its namespace and CA path', () => {
    const chosen = chooseContext(kubeconfigFile('other', 'k3d-b'), 'kind-a');
    const written = parse(chosen.kubeconfigYaml);
    expect(chosen.name).toBe('kind-a');
    expect(written.contexts).toEqual([
      {
        name: 'kind-a',
        context: { cluster: 'kind-a', user: 'kind-a', namespace: 'apps' },
      },
    ]);
    expect(written.clusters[0].cluster['certificate-authority']).toBe(join(dir, 'ca-a.pem'));
    expect(written.users[0].user.token).toBe('token-a');
  });

  it('names the contexts the file has when the one asked for is not there', () => {
    const file = kubeconfigFile('unknown', 'kind-a');
    expect(() => chooseContext(file, 'kind-kanari')).toThrow(
      `--context: no context "kind-kanari" in ${file}; it has kind-a, k3d-b`,
    );
  });

  it('asks for --context when the file has no current-context', () => {
    expect(() => chooseContext(kubeconfigFile('none'))).toThrow(
      /--context: .* has no current-context; pick one of kind-a, k3d-b/,
    );
  });

  it('refuses a missing file and a file that is not a kubeconfig', () => {
    expect(() => chooseContext(join(dir, 'absent'))).toThrow(
      `--kubeconfig: ${join(dir, 'absent')} does not exist`,
    );
    const junk = join(dir, 'junk');
    writeFileSync(junk, 'clusters: [');
    expect(() => chooseContext(junk)).toThrow(`--kubeconfig: ${junk} is not a kubeconfig`);
  });
});

describe('checking your own Prometheus URL', () => {
  it('refuses anything but http(s) before asking it anything', async () => {
    for (const url of ['localhost:9090', 'ftp://prometheus:9090', 'not a url'])
      await expect(checkPrometheus(url)).rejects.toThrow(
        `--prometheus: "${url}" is not an http(s) URL such as http://localhost:9090`,
      );
  });
});
