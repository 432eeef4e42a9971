import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('refuses auth-provider and basic-auth users, naming the user and what to use', () => {
    const file = kubeconfig({
      p: { 'auth-provider': { name: 'gcp' } },
      b: { username: 'admin', password: 'secret' },
    });
    const all = readKubeConfigFile(file);
    expect(all.contexts).toEqual(['p', 'b']);
    expect(() => all.context('p')).toThrow(KubeConfigError);
    expect(() => all.context('p')).toThrow(/user "p" uses auth-provider plugins.*KANARI_EKS/);
    expect(() => all.context('b')).toThrow(/user "b" uses basic authentication/);
  });

  it('runs an exec plugin as kubectl does, keeps its token until it nearly expires', async () => {
    // A plugin that counts its runs and answers an ExecCredential with the env and args it got.
    const plugin = join(dir, 'plugin.mjs');
    const runs = join(dir, 'plugin-runs');
    writeFileSync(runs, '');
    writeFileSync(
      plugin,
      `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(runs)}, 'x');
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
const expires = process.argv[2] === 'soon' ? new Date(Date.now() + 1000) : new Date(Date.now() + 3600e3);
console.log(JSON.stringify({ kind: 'ExecCredential', status: {
  token: process.env.CLUSTER + ':' + info.spec.interactive, expirationTimestamp: expires.toISOString() } }));`,
    );
    const exec = (arg: string) => ({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: process.execPath,
        args: [plugin, arg],
        env: [{ name: 'CLUSTER', value: 'prod' }],
      },
    });
    const all = readKubeConfigFile(kubeconfig({ later: exec('later'), soon: exec('soon') }));
    const later = all.context('later');
    expect(await later.token?.()).toBe('prod:false');
    expect(await later.token?.()).toBe('prod:false');
    expect(readFileSync(runs, 'utf8')).toBe('x');
    // A token that expires within the minute is asked for again each time.
    const soon = all.context('soon');
    await soon.token?.();
    await soon.token?.();
    expect(readFileSync(runs, 'utf8')).toBe('xxx');
  });

  it('names the user when its exec plugin fails or answers no token', async () => {
    const all = readKubeConfigFile(
      kubeconfig({
        missing: { exec: { command: join(dir, 'no-such-plugin') } },
        silent: { exec: { command: process.execPath, args: ['-e', 'console.log("{}")'] } },
        shapeless: { exec: { args: ['get-token'] } },
      }),
    );
    await expect(all.context('missing').token?.()).rejects.toThrow(
      /user "missing": its exec plugin .*no-such-plugin failed/,
    );
    await expect(all.context('silent').token?.()).rejects.toThrow(/user "silent".*gave no token/);
    expect(() => all.context('shapeless')).toThrow(/user "shapeless".*exec has no command/);
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

  it('reads YAML as kubectl does: timestamps stay text, a tag it does not know is refused', () => {
    // An unquoted timestamp, in a field kanari passes on without reading.
    const file = join(dir, 'timestamps');
    writeFileSync(
      file,
      `clusters:
- name: t
  cluster:
    server: https://t.example:6443
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: { since: 2030-01-01T00:00:00Z }
users:
- name: t
  user: { token: t }
contexts:
- name: t
  context: { cluster: t, user: t }
`,
    );
    const read = readKubeConfigFile(file);
    expect(read.context('t').server).toBe('https://t.example:6443');
    // Not a Date: the sandbox writes the exported context back as it was.
    expect(read.exportContext('t')).toMatchObject({
      clusters: [{ cluster: { extensions: [{ extension: { since: '2030-01-01T00:00:00Z' } }] } }],
    });
    // js-yaml refuses tags outside the YAML 1.2 core schema; the yaml package kept their text.
    const tagged = join(dir, 'tagged');
    writeFileSync(tagged, 'clusters: []\ncontexts: !foo []\n');
    expect(() => readKubeConfigFile(tagged)).toThrow(KubeConfigError);
    expect(() => readKubeConfigFile(tagged)).toThrow(`${tagged}: unknown tag !<!foo>`);
  });

  it('exports one context with its cluster and user, paths absolute, for the caller to write', () => {
    const file = kubeconfig({ e: { tokenFile: 'token' }, f: { token: 'x' } });
    expect(readKubeConfigFile(file).exportContext('e')).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e', cluster: { server: 'https://e.example:6443' } }],
      users: [{ name: 'e', user: { tokenFile: join(dir, 'token') } }],
      contexts: [{ name: 'e', context: { cluster: 'e', user: 'e' } }],
      'current-context': 'e',
    });
  });
});
