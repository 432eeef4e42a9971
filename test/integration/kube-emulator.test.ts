import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';

/** A minimal VirtualService CRD the project wrote, for the --crds path. */
const FIXTURE_CRDS = new URL('../fixtures/crds', import.meta.url);
const V1 = '/apis/networking.istio.io/v1/namespaces/default/virtualservices';
const MY_SERVICE_PATH = `${V1}/my-service`;

const MY_SERVICE = seedVirtualService();

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field.
type Json = any;
interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Json;
}
interface CallOptions {
  body?: unknown;
  contentType?: string;
  token?: string | null;
  accept?: string;
  timeoutMs?: number;
}

let emu: KubeEmulator;
let ca: Buffer;
let kubectlHome: string;

function call(method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  const token = opts.token === undefined ? emu.token : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const payload =
    opts.body === undefined
      ? undefined
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  if (payload !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { method, ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text ? JSON.parse(text) : undefined,
        }),
      );
    });
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () =>
        req.destroy(new Error(`client gave up after ${opts.timeoutMs} ms`)),
      );
    }
    req.on('error', reject);
    req.end(payload);
  });
}

const stored = () =>
  emu.read('networking.istio.io/v1', 'VirtualService', 'default', 'my-service') as Json;

function kubectl(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      [`--cache-dir=${join(kubectlHome, 'cache')}`, ...args],
      {
        env: {
          ...process.env,
          HOME: kubectlHome,
          KUBECONFIG: join(kubectlHome, 'empty-kubeconfig'),
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(); // kubectl prompts for a username on 401; give it EOF, not a hang.
  });
}

const flags = () => [
  `--server=${emu.url}`,
  `--token=${emu.token}`,
  `--certificate-authority=${emu.caFile}`,
];

beforeAll(async () => {
  emu = await startKubeEmulator();
  ca = readFileSync(emu.caFile);
  kubectlHome = await mkdtemp(join(tmpdir(), 'kanari-kubectl-'));
  await writeFile(join(kubectlHome, 'empty-kubeconfig'), '');
});

afterAll(async () => {
  await emu?.stop();
  if (kubectlHome) await rm(kubectlHome, { recursive: true, force: true });
});

beforeEach(() => {
  emu.clearFaults();
  emu.seed(MY_SERVICE);
});

describe('starting the emulator', () => {
  it('refuses a CRD folder that is absent or holds no CustomResourceDefinition, naming it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kanari-no-crds-'));
    try {
      await expect(startKubeEmulator({ crdDir: empty })).rejects.toThrow(
        `No CustomResourceDefinition found in ${empty}`,
      );
      await expect(startKubeEmulator({ crdDir: join(empty, 'absent') })).rejects.toThrow(
        `The CRD folder ${join(empty, 'absent')} does not exist`,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('serves the CRDs of a --crds folder in place of the built-in types they name', async () => {
    const custom = await startKubeEmulator({ crdDir: FIXTURE_CRDS });
    try {
      const cert = readFileSync(custom.caFile);
      const get = (path: string) =>
        new Promise<Json>((resolve, reject) => {
          request(
            `${custom.url}${path}`,
            { ca: cert, headers: { Authorization: `Bearer ${custom.token}` } },
            (res) => {
              let text = '';
              res.on('data', (c) => {
                text += c;
              });
              res.on('end', () => resolve(JSON.parse(text)));
            },
          )
            .on('error', reject)
            .end();
        });
      // The fixture serves VirtualService at v1 and v1alpha3; DestinationRule stays built in.
      const v1beta1 = await get('/apis/networking.istio.io/v1beta1');
      expect(v1beta1.resources.map((r: Json) => r.kind)).toEqual(['DestinationRule']);
      const v1 = await get('/apis/networking.istio.io/v1');
      expect(v1.resources.find((r: Json) => r.kind === 'VirtualService').shortNames).toEqual([
        'vs',
      ]);
      const object: Json = { ...MY_SERVICE, apiVersion: 'networking.istio.io/v1' };
      custom.seed(object);
      // Its schema caps weights at 100, which Istio's does not.
      const heavy: Json = structuredClone(object);
      heavy.spec.http[0].route[0].weight = 101;
      expect(() => custom.seed(heavy)).toThrow(
        'spec.http[0].route[0].weight: Invalid value: 101: spec.http[0].route[0].weight in body should be less than or equal to 100',
      );
      expect(() => emu.seed({ ...heavy, metadata: { name: 'heavy' } })).not.toThrow();
      await call('DELETE', `${V1}/heavy`);
      // And it declares no `gateways`, so Strict refuses the field.
      expect(() =>
        custom.seed({ ...object, spec: { ...object.spec, gateways: ['mesh'] } }),
      ).toThrow('strict decoding error: unknown field "spec.gateways"');
    } finally {
      await custom.stop();
    }
  });

  it('serves HTTPS that only its own CA vouches for, and writes a kubeconfig naming it', () => {
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const kubeconfig = parse(readFileSync(emu.kubeconfigPath, 'utf8'));
    expect(kubeconfig['current-context']).toBe('sandbox');
    expect(kubeconfig.clusters[0]).toEqual({
      name: 'sandbox',
      cluster: { server: emu.url, 'certificate-authority': emu.caFile },
    });
    expect(kubeconfig.users[0].user.token).toBe(emu.token);
  });
});

describe('reading', () => {
  it('answers 200 with the object, rewritten to the version asked for', async () => {
    const res = await call('GET', MY_SERVICE_PATH);
    expect(res.status).toBe(200);
    expect(res.body.apiVersion).toBe('networking.istio.io/v1');
    expect(res.body.spec.http[0].route.map((r: Json) => r.weight)).toEqual([100, 0]);
    expect(res.body.metadata).toMatchObject({
      generation: 1,
      uid: expect.any(String),
      creationTimestamp: expect.any(String),
    });
  });

  it('serves an object created through v1alpha3 through v1 and v1beta1 as well', async () => {
    const create = await call(
      'POST',
      '/apis/networking.istio.io/v1alpha3/namespaces/default/virtualservices',
      {
        body: { ...MY_SERVICE, metadata: { name: 'old-style', namespace: 'default' } },
      },
    );
    expect(create.status).toBe(201);
    expect(create.body.apiVersion).toBe('networking.istio.io/v1alpha3');
    for (const version of ['v1', 'v1beta1']) {
      const res = await call(
        'GET',
        `/apis/networking.istio.io/${version}/namespaces/default/virtualservices/old-style`,
      );
      expect(res.status).toBe(200);
      expect(res.body.apiVersion).toBe(`networking.istio.io/${version}`);
      expect(res.body.metadata.uid).toBe(create.body.metadata.uid);
    }
    await call('DELETE', `${V1}/old-style`);
  });

  it('lists one namespace or all of them as a VirtualServiceList with a resourceVersion', async () => {
    emu.seed({ ...MY_SERVICE, metadata: { name: 'elsewhere', namespace: 'other' } });
    const one = await call('GET', V1);
    expect(one.status).toBe(200);
    expect(one.body.kind).toBe('VirtualServiceList');
    expect(one.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(one.body.items.map((i: Json) => i.metadata.name)).toEqual(['my-service']);
    const all = await call('GET', '/apis/networking.istio.io/v1/virtualservices');
    expect(all.body.items.map((i: Json) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([
      'default/my-service',
      'other/elsewhere',
    ]);
    await call('DELETE', '/apis/networking.istio.io/v1/namespaces/other/virtualservices/elsewhere');
  });

  it("answers a Table with Istio's printer columns when asked for one", async () => {
    const res = await call('GET', V1, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('Table');
    expect(res.body.columnDefinitions.map((c: Json) => c.name)).toEqual([
      'Name',
      'Gateways',
      'Hosts',
      'Age',
    ]);
    expect(res.body.rows[0].cells.slice(0, 3)).toEqual(['my-service', null, '["my-service"]']);
  });

  it('answers discovery for networking.istio.io with v1 preferred', async () => {
    const groups = await call('GET', '/apis');
    const istio = groups.body.groups.find((g: Json) => g.name === 'networking.istio.io');
    expect(istio.versions.map((v: Json) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha3']);
    expect(istio.preferredVersion.version).toBe('v1');
    const resources = await call('GET', '/apis/networking.istio.io/v1alpha3');
    const vs = resources.body.resources.find((r: Json) => r.name === 'virtualservices');
    expect(vs).toMatchObject({ kind: 'VirtualService', namespaced: true, shortNames: ['vs'] });
    expect(
      resources.body.resources.find((r: Json) => r.name === 'destinationrules').shortNames,
    ).toEqual(['dr']);
    expect((await call('GET', '/api/v1/namespaces/anything')).body.status.phase).toBe('Active');
  });
});

describe('refusals', () => {
  it('answers 401 Unauthorized without a token and with a wrong one', async () => {
    for (const token of [null, 'not-the-token']) {
      const res = await call('GET', MY_SERVICE_PATH, { token });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    expect((await call('GET', '/apis', { token: null })).status).toBe(401);
  });

  it('answers 404 NotFound for an unknown object, resource, version or path', async () => {
    const object = await call('GET', `${V1}/nope`);
    expect(object.status).toBe(404);
    expect(object.body).toMatchObject({
      reason: 'NotFound',
      message: 'virtualservices.networking.istio.io "nope" not found',
      details: { name: 'nope', group: 'networking.istio.io', kind: 'virtualservices' },
    });
    for (const path of [
      '/apis/networking.istio.io/v1/namespaces/default/gateways',
      '/apis/networking.istio.io/v2/namespaces/default/virtualservices',
      '/apis/apps/v1/namespaces/default/deployments',
      '/openapi/v2',
    ]) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({
        reason: 'NotFound',
        message: 'the server could not find the requested resource',
      });
    }
  });

  it('answers 409 AlreadyExists to a create of an existing object and stores nothing', async () => {
    const before = stored();
    const res = await call('POST', V1, {
      body: { ...MY_SERVICE, apiVersion: 'networking.istio.io/v1', spec: { hosts: ['x'] } },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'virtualservices.networking.istio.io "my-service" already exists',
    });
    expect(stored()).toEqual(before);
  });

  it('answers 409 Conflict to a PUT with a stale resourceVersion and stores nothing', async () => {
    const read = (await call('GET', MY_SERVICE_PATH)).body;
    await call('PATCH', MY_SERVICE_PATH, {
      body: { metadata: { labels: { touched: 'yes' } } },
      contentType: 'application/merge-patch+json',
    });
    const before = stored();
    read.spec.http[0].route[0].weight = 50;
    const res = await call('PUT', MY_SERVICE_PATH, { body: read });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('Conflict');
    expect(res.body.message).toContain('the object has been modified');
    expect(stored()).toEqual(before);
  });

  it('answers 422 to a JSON patch whose test op fails and stores nothing', async () => {
    const before = stored();
    const res = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 0 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(stored()).toEqual(before);
  });

  it('answers 422 Invalid, naming the field, to an object the schema rejects, and stores nothing', async () => {
    const before = stored();
    const weight = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: '50' }],
    });
    expect(weight.status).toBe(422);
    expect(weight.body.reason).toBe('Invalid');
    expect(weight.body.message).toBe(
      'VirtualService.networking.istio.io "my-service" is invalid: spec.http[0].route[0].weight: Invalid value: "string": spec.http[0].route[0].weight in body must be of type integer: "string"',
    );
    expect(weight.body.details.causes[0].field).toBe('spec.http[0].route[0].weight');

    const host = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/json-patch+json',
      body: [{ op: 'remove', path: '/spec/http/1/route/0/destination/host' }],
    });
    expect(host.status).toBe(422);
    expect(host.body.message).toContain('spec.http[1].route[0].destination.host: Required value');

    const put = await call('PUT', MY_SERVICE_PATH, {
      body: { ...stored(), spec: { hosts: 'my-service' } },
    });
    expect(put.status).toBe(422);
    expect(put.body.message).toContain('spec.hosts: Invalid value: "string"');
    expect(stored()).toEqual(before);
  });

  it('answers 415 to a strategic merge patch, which custom resources do not support', async () => {
    const before = stored();
    const res = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { hosts: ['x'] } },
    });
    expect(res.status).toBe(415);
    expect(res.body.reason).toBe('UnsupportedMediaType');
    expect(stored()).toEqual(before);
  });
});

describe('writing', () => {
  it('applies a merge patch', async () => {
    const res = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/merge-patch+json',
      body: { spec: { gateways: ['mesh'] } },
    });
    expect(res.status).toBe(200);
    expect(stored().spec.gateways).toEqual(['mesh']);
    expect(stored().spec.http).toHaveLength(2);
  });

  it('server-side applies: creates when absent, merges when present, and requires fieldManager', async () => {
    const path = '/apis/networking.istio.io/v1/namespaces/default/destinationrules/my-service';
    const config = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'my-service' },
      spec: { host: 'my-service' },
    };
    const missing = await call('PATCH', path, {
      contentType: 'application/apply-patch+yaml',
      body: config,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );

    const created = await call('PATCH', `${path}?fieldManager=test`, {
      contentType: 'application/apply-patch+yaml',
      body: config,
    });
    expect(created.status).toBe(201);
    const yaml =
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: my-service}\nspec:\n  subsets: [{name: v2, labels: {version: v2}}]\n';
    const updated = await call('PATCH', `${path}?fieldManager=test`, {
      contentType: 'application/apply-patch+yaml',
      body: yaml,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.spec).toEqual({
      host: 'my-service',
      subsets: [{ name: 'v2', labels: { version: 'v2' } }],
    });
    await call('DELETE', path);
  });

  it('prunes unknown fields with a warning, and refuses them under fieldValidation=Strict', async () => {
    const patch = { spec: { bogus: true } };
    const strict = await call('PATCH', `${MY_SERVICE_PATH}?fieldValidation=Strict`, {
      contentType: 'application/merge-patch+json',
      body: patch,
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec.bogus"');
    const lenient = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/merge-patch+json',
      body: patch,
    });
    expect(lenient.status).toBe(200);
    expect(lenient.headers.warning).toContain('unknown field \\"spec.bogus\\"');
    expect(stored().spec.bogus).toBeUndefined();
  });

  it('bumps resourceVersion on every write, generation on spec changes, and neither on a no-op', async () => {
    const rv = () => Number(stored()?.metadata.resourceVersion);
    const versions = [rv()];
    const merge = (body: unknown) =>
      call('PATCH', MY_SERVICE_PATH, { contentType: 'application/merge-patch+json', body });
    await merge({ metadata: { labels: { a: 'b' } } });
    versions.push(rv());
    expect(stored().metadata.generation).toBe(1);
    await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 }],
    });
    versions.push(rv());
    expect(stored().metadata.generation).toBe(2);
    await call('PUT', MY_SERVICE_PATH, {
      body: { ...stored(), spec: { ...stored().spec, gateways: ['mesh'] } },
    });
    versions.push(rv());
    await call('PATCH', `${MY_SERVICE_PATH}?fieldManager=t`, {
      contentType: 'application/apply-patch+yaml',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'my-service' },
        spec: { exportTo: ['.'] },
      },
    });
    versions.push(rv());
    for (let i = 1; i < versions.length; i++)
      expect(versions[i]).toBeGreaterThan(versions[i - 1] ?? 0);
    const noop = await merge({ metadata: { labels: { a: 'b' } } });
    expect(noop.body.metadata.resourceVersion).toBe(String(versions.at(-1)));
    const deleted = await call('DELETE', MY_SERVICE_PATH);
    expect(Number(deleted.body.metadata.resourceVersion)).toBeGreaterThan(versions.at(-1) ?? 0);
    expect(stored()).toBeUndefined();
  });

  it('seed() throws on an invalid object', () => {
    const bad: Json = structuredClone(MY_SERVICE);
    bad.spec.http[0].route[0].weight = 'fifty';
    expect(() => emu.seed(bad)).toThrow(/spec\.http\[0\]\.route\[0\]\.weight/);
  });
});

describe('fault injection', () => {
  it('answers the next requests with 409 Conflict or 500 InternalError, then recovers', async () => {
    emu.injectFaults({ count: 2, status: 409 });
    expect((await call('GET', MY_SERVICE_PATH)).body.reason).toBe('Conflict');
    expect((await call('GET', MY_SERVICE_PATH)).status).toBe(409);
    expect((await call('GET', MY_SERVICE_PATH)).status).toBe(200);
    emu.injectFaults({ count: 1, status: 500, methods: ['PATCH'] });
    expect((await call('GET', MY_SERVICE_PATH)).status).toBe(200);
    const failed = await call('PATCH', MY_SERVICE_PATH, {
      contentType: 'application/merge-patch+json',
      body: { spec: { gateways: ['g'] } },
    });
    expect(failed.status).toBe(500);
    expect(failed.body.reason).toBe('InternalError');
    expect(stored().spec.gateways).toBeUndefined();
  });

  it('never answers under a timeout fault, so the client has to give up', async () => {
    emu.injectFaults({ count: 1, timeout: true });
    await expect(call('GET', MY_SERVICE_PATH, { timeoutMs: 300 })).rejects.toThrow(
      /client gave up/,
    );
    expect((await call('GET', MY_SERVICE_PATH)).status).toBe(200);
  });

  it('serves normally after delayMs, or 504 Timeout if the request timeout is shorter', async () => {
    emu.injectFaults({ count: 1, delayMs: 200 });
    const started = Date.now();
    expect((await call('GET', MY_SERVICE_PATH)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    emu.injectFaults({ count: 1, delayMs: 5_000 });
    const res = await call('GET', `${MY_SERVICE_PATH}?timeout=100ms`);
    expect(res.status).toBe(504);
    expect(res.body.reason).toBe('Timeout');
  });

  it('counts every request it serves', async () => {
    const before = emu.requests;
    await call('GET', MY_SERVICE_PATH);
    await call('GET', '/apis', { token: null });
    expect(emu.requests).toBe(before + 2);
  });

  it('stop() ends requests left hanging by a timeout fault', async () => {
    const other = await startKubeEmulator({ token: 't' });
    other.injectFaults({ count: 1, timeout: true });
    const hanging = new Promise<string>((resolve) => {
      const req = request(`${other.url}/apis/networking.istio.io/v1/virtualservices`, {
        ca: readFileSync(other.caFile),
        headers: { Authorization: 'Bearer t' },
      });
      req.on('response', () => resolve('answered'));
      req.on('error', (e) => resolve(`closed: ${e.message}`));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    await other.stop();
    expect(await hanging).toMatch(/^closed/);
    expect(existsSync(other.kubeconfigPath)).toBe(false);
  });
});

describe('real kubectl', () => {
  it('reads the weights with get virtualservice -o json using --server, --token and --certificate-authority', async () => {
    const res = await kubectl([
      ...flags(),
      'get',
      'virtualservice',
      'my-service',
      '-n',
      'default',
      '-o',
      'json',
    ]);
    expect(res.stderr).toBe('');
    const vs = JSON.parse(res.stdout);
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.spec.http.map((h: Json) => h.route.map((r: Json) => r.weight))).toEqual([
      [100, 0],
      [100, 0],
    ]);
  });

  it('reads a field with get vs -o jsonpath', async () => {
    const res = await kubectl([
      ...flags(),
      'get',
      'vs',
      'my-service',
      '-o',
      'jsonpath={.spec.http[0].route[*].weight}',
    ]);
    expect(res.stdout).toBe('100 0');
  });

  it('prints the table for get vs', async () => {
    const res = await kubectl([...flags(), 'get', 'vs']);
    expect(res.code).toBe(0);
    const [header, row] = res.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'GATEWAYS', 'HOSTS', 'AGE']);
    expect(row).toMatch(/^my-service\s+\["my-service"\]\s+\d+s$/);
  });

  it('fails without the token or with a wrong one', async () => {
    const none = await kubectl([
      `--server=${emu.url}`,
      `--certificate-authority=${emu.caFile}`,
      'get',
      'vs',
    ]);
    expect(none.code).not.toBe(0);
    expect(none.stdout).not.toContain('my-service');
    const wrong = await kubectl([
      `--server=${emu.url}`,
      '--token=wrong',
      `--certificate-authority=${emu.caFile}`,
      'get',
      'vs',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/must be logged in|Unauthorized|credentials/);
  });

  it('patches with --type=merge and server-side applies through the kubeconfig', async () => {
    const env = { KUBECONFIG: emu.kubeconfigPath };
    const patched = await kubectl(
      ['patch', 'vs', 'my-service', '--type=merge', '-p', '{"spec":{"gateways":["mesh"]}}'],
      env,
    );
    expect(patched.stdout).toContain('virtualservice.networking.istio.io/my-service patched');
    expect(stored().spec.gateways).toEqual(['mesh']);

    const manifest = join(kubectlHome, 'dr.yaml');
    await writeFile(
      manifest,
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews}\n',
    );
    const applied = await kubectl(['apply', '--server-side', '-f', manifest], env);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain(
      'destinationrule.networking.istio.io/reviews serverside-applied',
    );
    expect(
      emu.read('networking.istio.io/v1', 'DestinationRule', 'default', 'reviews'),
    ).toMatchObject({ spec: { host: 'reviews' } });
    await kubectl(['delete', 'dr', 'reviews'], env);
  });
});
