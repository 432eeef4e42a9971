import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as discovery from './discovery.ts';
import type { FaultQueue } from './faults.ts';
import { openApiGroupVersion, openApiRoot } from './openapi.ts';
import { type ApiContext, type ApiResponse, serveResource } from './resource-api.ts';
import {
  ApiError,
  conflict,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  requestEntityTooLarge,
  resourceNotFound,
  serviceUnavailable,
  timeout,
  tooManyRequests,
  unauthorized,
} from './status.ts';
import { kubeTimestamp } from './store.ts';

/** The apiserver's default limit on request bodies. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface HandlerDeps {
  token: string;
  api: ApiContext;
  faults: FaultQueue;
  serverAddress(): string;
  onRequest(): void;
}

export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Cancels pending fault delays; hung requests end when their sockets close. */
  close(): void;
}

export function createRequestHandler(deps: HandlerDeps): RequestHandler {
  const timers = new Set<NodeJS.Timeout>();
  const startedAt = kubeTimestamp(new Date());
  const tokenDigest = digest(deps.token);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function route(req: IncomingMessage): Promise<ApiResponse | undefined> {
    if (!authorized(req.headers.authorization, tokenDigest)) throw unauthorized();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const { types } = deps.api;

    if (parts[0] === 'apis' && parts.length >= 4) {
      const [, group, version, ...rest] = parts;
      const namespaced = rest[0] === 'namespaces';
      const [plural, name, ...subresource] = namespaced ? rest.slice(2) : rest;
      const namespace = namespaced ? rest[1] : undefined;
      const type = types.find((t) => t.group === group && t.plural === plural);
      const served = type?.versions.find((v) => v.name === version);
      // Subresources (status, scale) are not served: the emulator has no controllers.
      if (!type || !served || subresource.length > 0) throw resourceNotFound();
      const wrongScope = namespaced
        ? !type.namespaced || rest.length < 3
        : type.namespaced && name !== undefined;
      if (wrongScope) throw resourceNotFound();
      if (!namespaced && type.namespaced && method !== 'GET') throw methodNotAllowed();
      const fault = deps.faults.take(method);
      if (fault) {
        const budget = parseGoDuration(url.searchParams.get('timeout'));
        if (fault.delayMs !== undefined) {
          if (budget !== undefined && budget < fault.delayMs) {
            await sleep(budget);
            throw timeout();
          }
          await sleep(fault.delayMs);
        }
        if (fault.timeout) return undefined;
        if (fault.reset) {
          req.socket.destroy();
          return undefined;
        }
        const gr = { group: type.group, resource: type.plural };
        if (fault.status === 401) throw unauthorized();
        if (fault.status === 403) throw forbidden(gr, name ?? '', method.toLowerCase());
        if (fault.status === 404) throw notFound(gr, name ?? '');
        if (fault.status === 409) throw conflict(gr, name ?? '');
        if (fault.status === 429) throw tooManyRequests();
        if (fault.status === 500) throw internalError('fault injected by the kanari emulator');
        if (fault.status === 503) throw serviceUnavailable();
      }
      const body = await readBody(req);
      return serveResource(deps.api, {
        method,
        type,
        version: served,
        namespace,
        name,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        accept: req.headers.accept,
        body,
      });
    }

    if (method !== 'GET') throw methodNotAllowed();
    const document = discoveryDocument(parts);
    if (document === undefined) throw resourceNotFound();
    return { code: 200, body: document };
  }

  function discoveryDocument(parts: string[]): unknown {
    const { types } = deps.api;
    const path = parts.join('/');
    if (path === '') return { paths: ['/api', '/api/v1', '/apis', '/version'] };
    if (path === 'version') return discovery.KUBERNETES_VERSION;
    if (path === 'api') return discovery.coreVersions(deps.serverAddress());
    if (path === 'api/v1') return discovery.coreResources();
    if (path === 'api/v1/namespaces') {
      const names = new Set(['default', ...deps.api.store.namespaces()]);
      return {
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: { resourceVersion: deps.api.store.resourceVersion },
        items: [...names].sort().map(namespace),
      };
    }
    if (parts.length === 4 && path.startsWith('api/v1/namespaces/')) {
      // Every namespace exists: the emulator has no Namespace objects to manage.
      const name = parts[3] ?? '';
      return DNS1123_LABEL.test(name) ? namespace(name) : undefined;
    }
    if (path === 'apis') return discovery.groupList(types);
    if (parts[0] === 'apis' && parts.length === 2)
      return discovery.groupDocument(types, parts[1] ?? '');
    if (parts[0] === 'apis' && parts.length === 3) {
      return discovery.resourceList(types, parts[1] ?? '', parts[2] ?? '');
    }
    if (path === 'openapi/v3') return openApiRoot(types);
    if (parts[0] === 'openapi' && parts[1] === 'v3' && parts[2] === 'apis' && parts.length === 5) {
      return openApiGroupVersion(types, `${parts[3]}/${parts[4]}`);
    }
    // /openapi/v2 is not served: kubectl uses v3 when the server has it.
    return undefined;
  }

  function namespace(name: string): object {
    return {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: {
        name,
        resourceVersion: '1',
        creationTimestamp: startedAt,
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  }

  return {
    handle(req, res) {
      deps.onRequest();
      route(req).then(
        (response) => {
          if (response) send(res, response);
          // undefined: a `timeout` fault; the request hangs until the client or stop() ends it.
        },
        (error: unknown) => {
          const failure =
            error instanceof ApiError
              ? error
              : internalError(String((error as Error)?.message ?? error));
          send(res, { code: failure.code, body: failure.status });
        },
      );
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares hashes in constant time, so neither content nor length leaks through timing. */
function authorized(header: string | undefined, tokenDigest: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), tokenDigest);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw requestEntityTooLarge(MAX_BODY_BYTES);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(response.body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': response.contentType ?? 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (response.warnings && response.warnings.length > 0) {
    headers.Warning = response.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  }
  res.writeHead(response.code, headers);
  res.end(text);
}

/** Go's time.Duration syntax (`5s`, `1m30s`, `250ms`), as kubectl sends `?timeout=`. */
function parseGoDuration(text: string | null): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}
