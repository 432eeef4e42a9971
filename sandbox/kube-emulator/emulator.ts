import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServingCertificates } from './certificates.ts';
import { loadCustomResourceDefinitions, type ResourceType } from './crds.ts';
import { FaultQueue, type FaultSpec } from './faults.ts';
import { builtInIstioTypes } from './istio-types.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createSchemaCompiler } from './schema.ts';
import { createRequestHandler } from './server.ts';
import { atVersion, type KubeObject, ObjectStore } from './store.ts';
import { writeObject } from './write-object.ts';

/** A running stand-in for kube-apiserver serving Istio's VirtualService and DestinationRule. */
export interface KubeEmulator {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** Bearer token required on every request. */
  token: string;
  /** PEM CA certificate, for `kubectl --certificate-authority`. */
  caFile: string;
  /** Kubeconfig with cluster, user and context "sandbox", for kubectl and kanari. */
  kubeconfigPath: string;
  /**
   * Stores an object directly, as freshly created (new uid, generation 1), replacing any
   * stored one. Validated like a create, but unknown fields are refused
   * (fieldValidation=Strict) and `status` is kept; throws on an invalid object.
   */
  seed(obj: object): void;
  /** The stored object as seen through `apiVersion`, or undefined. */
  read(apiVersion: string, kind: string, namespace: string, name: string): object | undefined;
  /** The next `count` matching resource requests fail, hang or slow down as described. */
  injectFaults(f: FaultSpec): void;
  clearFaults(): void;
  /** API requests received so far, discovery and refused ones included. */
  readonly requests: number;
  stop(): Promise<void>;
}

export interface StartKubeEmulatorOptions {
  /**
   * A folder of CustomResourceDefinition YAML files to serve (`kanari sandbox --crds`). Each
   * type found there replaces the built-in one of the same group and kind; by default the
   * emulator serves its built-in Istio types (istio-types.ts).
   */
  crdDir?: string | URL;
  /** Defaults to a random token. */
  token?: string;
  /** Defaults to 0, a free port. */
  port?: number;
  /** Called as each response has been sent (benchmarks time writes with it). */
  onResponse?: (request: { method: string; url: string; status: number }) => void;
}

export async function startKubeEmulator(
  opts: StartKubeEmulatorOptions = {},
): Promise<KubeEmulator> {
  const types = await resourceTypes(opts.crdDir);
  const dir = await mkdtemp(join(tmpdir(), 'kanari-kube-emulator-'));
  let server: Server | undefined;
  try {
    const tls = await createServingCertificates(dir);
    const token = opts.token ?? randomBytes(24).toString('base64url');
    const store = new ObjectStore();
    const faults = new FaultQueue();
    let requests = 0;
    let address = '';
    const handler = createRequestHandler({
      token,
      api: { types, store },
      faults,
      serverAddress: () => address,
      onRequest: () => {
        requests += 1;
      },
    });
    const onResponse = opts.onResponse;
    const handle: typeof handler.handle = onResponse
      ? (req, res) => {
          res.once('finish', () =>
            onResponse({
              method: req.method ?? 'GET',
              url: req.url ?? '/',
              status: res.statusCode,
            }),
          );
          handler.handle(req, res);
        }
      : handler.handle;
    const https = createServer({ cert: tls.cert, key: tls.key }, handle);
    server = https;
    await new Promise<void>((resolve, reject) => {
      https.once('error', reject);
      https.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    address = `127.0.0.1:${(https.address() as AddressInfo).port}`;
    const url = `https://${address}`;
    const kubeconfigPath = await writeKubeconfig(dir, { url, token, caFile: tls.caFile });

    const find = (apiVersion: string, kind: string) => {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      const type = types.find((t) => t.group === group && t.kind === kind);
      const served = type?.versions.find((v) => v.name === version);
      if (!type || !served) throw new Error(`${apiVersion} ${kind} is not served by the emulator`);
      return { type, served };
    };
    let stopping: Promise<void> | undefined;

    return {
      url,
      token,
      caFile: tls.caFile,
      kubeconfigPath,
      get requests() {
        return requests;
      },
      seed(obj) {
        const object = structuredClone(obj) as KubeObject;
        const { type, served } = find(String(object.apiVersion), String(object.kind));
        const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
        const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
        const target = { type, version: served, namespace, name: metadata.name };
        writeObject(
          store,
          target,
          { ...object, metadata },
          { create: false, force: true, keepStatus: true, fieldValidation: 'Strict' },
        );
      },
      read(apiVersion, kind, namespace, name) {
        const { type, served } = find(apiVersion, kind);
        const found = store.get(type, namespace, name);
        return found ? atVersion(type, served.name, found) : undefined;
      },
      injectFaults: (fault) => faults.inject(fault),
      clearFaults: () => faults.clear(),
      stop() {
        stopping ??= (async () => {
          handler.close();
          await closeServer(https);
          await rm(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (server) await closeServer(server);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The built-in Istio types, with those of the CRDs in `crdDir` in place of their namesakes. */
async function resourceTypes(crdDir: string | URL | undefined): Promise<ResourceType[]> {
  const builtIn = builtInIstioTypes();
  if (crdDir === undefined) return builtIn;
  const dir = typeof crdDir === 'string' ? crdDir : fileURLToPath(crdDir);
  let loaded: ResourceType[];
  try {
    loaded = await loadCustomResourceDefinitions(dir, createSchemaCompiler());
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new CrdFolderError(`The CRD folder ${dir} does not exist or is not a folder`);
    throw new CrdFolderError(
      `The CRD folder ${dir} could not be read: ${(error as Error).message}`,
    );
  }
  if (loaded.length === 0) {
    throw new CrdFolderError(
      `No CustomResourceDefinition found in ${dir} (looked in its *.yaml and *.yml files); ` +
        'leave out the CRD folder to use the built-in Istio types',
    );
  }
  const same = (a: ResourceType, b: ResourceType) => a.group === b.group && a.kind === b.kind;
  return [...builtIn.filter((t) => !loaded.some((l) => same(l, t))), ...loaded];
}

/** A CRD folder that is absent, unreadable or holds no CustomResourceDefinition. */
export class CrdFolderError extends Error {
  override readonly name = 'CrdFolderError';
}

/** Closes the listener and every open connection, including requests left hanging by a fault. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
