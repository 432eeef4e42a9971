import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  KubeConfigError,
  loadKubeConfig,
  readKubeConfigFile,
} from '../../lib/adapters/kubernetes/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'kanari-kubeconfig-'));
writeFileSync(join(dir, 'token'), 'from-the-file\n');
writeFileSync(join(dir, 'ca.pem'), 'CA PEM');

/** A kubeconfig with one context per user given, each on its own cluster. */
const kubeconfig = (users: Record<string, object>, cluster: object = {}): string => {
  const file = join(dir, `kubeconfig-${Object.keys(users).join('-')}`);
  const names = Object.keys(users);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: names.map((name) => ({
        name,
        cluster: { server: `https://${name}.example:6443`, ...cluster },
      })),
      users: names.map((name) => ({ name, user: users[name] })),
      contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })),
      'current-context': names[0],
    }),
  );
  return file;
};

describe('reading a kubeconfig without a Kubernetes client', () => {
  it('resolves a token user, its server and the CA file relative to the kubeconfig', async () => {
    const kc = loadKubeConfig({
      kubeconfigPath: kubeconfig({ a: { token: 't-a' } }, { 'certificate-authority': 'ca.pem' }),
    });
    expect(kc.name).toBe('a');
    expect(kc.server).toBe('https://a.example:6443');
    expect(kc.ca).toEqual({ file: join(dir, 'ca.pem') });
    expect(await kc.token?.()).toBe('t-a');
  });

  it('reads a tokenFile on every request and decodes client certificate data', async () => {
    const cert = Buffer.from('CERT').toString('base64');
    const key = Buffer.from('KEY').toString('base64');
    const file = kubeconfig(
      { f: { tokenFile: 'token' }, c: { 'client-certificate-data': cert, 'client-key-data': key } },
      { 'certificate-authority-data': Buffer.from('CA').toString('base64') },
    );
    const withFile = loadKubeConfig({ kubeconfigPath: file, context: 'f' });
    expect(await withFile.token?.()).toBe('from-the-file');
    writeFileSync(join(dir, 'token'), 'rotated');
    expect(await withFile.token?.()).toBe('rotated');
    const withCert = loadKubeConfig({ kubeconfigPath: file, context: 'c' });
    expect(withCert.cert?.toString()).toBe('CERT');
    expect(withCert.key?.toString()).toBe('KEY');
    expect(withCert.ca?.toString()).toBe('CA');
    expect(withCert.token).toBeUndefined();
  });

  it('keeps insecure-skip-tls-verify and tls-server-name', () => {
    const kc = loadKubeConfig({
      kubeconfigPath: kubeconfig(
        { i: { token: 'x' } },
        { 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' },
      ),
    });
    expect(kc.insecure).toBe(true);
    expect(kc.serverName).toBe('api.internal');
  });

  it('refuses exec, auth-provider and basic-auth users, naming the user and what to use', () => {
    const file = kubeconfig({
      e: { exec: { command: 'aws', args: ['eks', 'get-token'] } },
      p: { 'auth-provider': { name: 'gcp' } },
      b: { username: 'admin', password: 'secret' },
    });
    const all = readKubeConfigFile(file);
    expect(all.contexts).toEqual(['e', 'p', 'b']);
    expect(() => all.context('e')).toThrow(KubeConfigError);
    expect(() => all.context('e')).toThrow(/user "e" uses exec credential plugins.*KANARI_EKS/);
    expect(() => all.context('p')).toThrow(/user "p" uses auth-provider plugins/);
    expect(() => all.context('b')).toThrow(/user "b" uses basic authentication/);
  });

  it('names what is wrong: no server, an unknown context, a file that is not a kubeconfig', () => {
    const noServer = join(dir, 'no-server');
    writeFileSync(
      noServer,
      stringify({
        clusters: [{ name: 'x', cluster: {} }],
        users: [{ name: 'x', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
      }),
    );
    expect(() => loadKubeConfig({ kubeconfigPath: noServer, context: 'x' })).toThrow(
      'context "x": its cluster has no server',
    );
    expect(() => loadKubeConfig({ kubeconfigPath: noServer })).toThrow(/has no current-context/);
    expect(() => loadKubeConfig({ kubeconfigPath: noServer, context: 'y' })).toThrow(
      `kubeconfig context "y" not found in ${noServer}`,
    );
    const junk = join(dir, 'junk');
    writeFileSync(junk, '- just\n- a list\n');
    expect(() => readKubeConfigFile(junk)).toThrow(/not a kubeconfig/);
  });
});
