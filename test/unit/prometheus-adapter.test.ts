import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  query: string | null;
}

/** What the fake Prometheus answers to one query; `hang` never answers. */
type Reply = { status?: number; json?: unknown; text?: string } | 'hang';

const vector = (...values: string[]) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: values.map((value, i) => ({ metric: { pod: `p${i}` }, value: [1_700_000_000, value] })),
  },
});
const scalar = (value: string) => ({
  status: 'success',
  data: { resultType: 'scalar', result: [1_700_000_000, value] },
});

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

let server: Server;
let url: string;
let replies: Map<string, Reply>;
let received: Received[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const query = new URLSearchParams(body).get('query');
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        query,
      });
      const reply = replies.get(query ?? '') ?? { json: vector() };
      if (reply === 'hang') return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(reply.text ?? JSON.stringify(reply.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  replies = new Map();
  received = [];
});

describe('Prometheus metrics provider', () => {
  it('posts the query as a form to /api/v1/query under the base path', async () => {
    replies.set('up', { json: vector('1') });
    const provider = createPrometheusMetricsProvider({ url: `${url}/workspaces/ws-1/` });
    await provider.runQuery('up');
    expect(received[0]).toMatchObject({ method: 'POST', path: '/workspaces/ws-1/api/v1/query' });
    expect(received[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it("answers a vector with its first sample's value", async () => {
    replies.set('sum(rate(x[1m]))', { json: vector('97.5') });
    const provider = createPrometheusMetricsProvider({ url });
    expect(await provider.runQuery('sum(rate(x[1m]))')).toBe(97.5);
  });

  it('uses the first series when a query returns several', async () => {
    replies.set('rate(x[1m])', { json: vector('3', '4') });
    const provider = createPrometheusMetricsProvider({ url });
    expect(await provider.runQuery('rate(x[1m])')).toBe(3);
  });

  it('answers a scalar with its value', async () => {
    replies.set('scalar(x)', { json: scalar('42') });
    const provider = createPrometheusMetricsProvider({ url });
    expect(await provider.runQuery('scalar(x)')).toBe(42);
  });

  it('answers an empty vector with null (no data)', async () => {
    replies.set('absent_series', { json: vector() });
    const provider = createPrometheusMetricsProvider({ url });
    expect(await provider.runQuery('absent_series')).toBeNull();
  });

  it.each(['NaN', '+Inf', '-Inf'])('answers %s with null (no data)', async (value) => {
    replies.set('ratio', { json: vector(value) });
    replies.set('scalar_ratio', { json: scalar(value) });
    const provider = createPrometheusMetricsProvider({ url });
    expect(await provider.runQuery('ratio')).toBeNull();
    expect(await provider.runQuery('scalar_ratio')).toBeNull();
  });

  it('throws MetricsQueryError naming the query and the Prometheus error on status error', async () => {
    const query = 'sum(rate(x[1m])';
    replies.set(query, {
      status: 400,
      json: {
        status: 'error',
        errorType: 'bad_data',
        error: '1:16: parse error: unclosed left parenthesis',
      },
    });
    const provider = createPrometheusMetricsProvider({ url });
    const error = await provider.runQuery(query).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect((error as Error).name).toBe('MetricsQueryError');
    expect((error as Error).message).toContain('unclosed left parenthesis');
    expect((error as Error).message).toContain('bad_data');
    expect((error as Error).message).toContain(query);
  });

  it('throws MetricsQueryError on an HTTP 500 with a non-JSON body', async () => {
    replies.set('up', { status: 500, text: 'upstream exploded' });
    const provider = createPrometheusMetricsProvider({ url });
    const error = await provider.runQuery('up').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect((error as Error).message).toMatch(/HTTP 500.*upstream exploded.*query: up/);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('throws MetricsQueryError when the body is not the Prometheus API shape', async () => {
    replies.set('up', { json: { hello: 'world' } });
    const provider = createPrometheusMetricsProvider({ url });
    await expect(provider.runQuery('up')).rejects.toThrow(/unexpected body/);
  });

  it('throws MetricsQueryError when the query returns a range vector', async () => {
    replies.set('x[1m]', {
      json: { status: 'success', data: { resultType: 'matrix', result: [] } },
    });
    const provider = createPrometheusMetricsProvider({ url });
    await expect(provider.runQuery('x[1m]')).rejects.toThrow(MetricsQueryError);
  });

  it('throws MetricsQueryError when Prometheus does not answer in time', async () => {
    replies.set('slow', 'hang');
    const provider = createPrometheusMetricsProvider({ url, timeoutMs: 100 });
    const error = await provider.runQuery('slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect((error as Error).message).toMatch(/no answer within 100 ms.*query: slow/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('throws MetricsQueryError with the cause when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const provider = createPrometheusMetricsProvider({ url: `http://127.0.0.1:${port}` });
    const error = await provider.runQuery('up').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).cause).toBeDefined();
  });

  it('is online when vector(1) answers 1, offline on errors, and never throws', async () => {
    replies.set('vector(1)', { json: vector('1') });
    expect(await createPrometheusMetricsProvider({ url }).isOnline()).toBe(true);
    replies.set('vector(1)', { status: 503, text: 'Service Unavailable' });
    expect(await createPrometheusMetricsProvider({ url }).isOnline()).toBe(false);
    expect(await createPrometheusMetricsProvider({ url: 'http://127.0.0.1:1' }).isOnline()).toBe(
      false,
    );
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify(scalar('7')), { status: 200 });
    };
    const provider = createPrometheusMetricsProvider({
      url: 'http://prom.invalid',
      fetch: fakeFetch,
    });
    expect(await provider.runQuery('vector(7)')).toBe(7);
    expect(calls).toEqual(['http://prom.invalid/api/v1/query']);
  });
});

const matrix = (...series: { metric: Record<string, string>; values: [number, string][] }[]) => ({
  status: 'success',
  data: { resultType: 'matrix', result: series },
});
const form = (request: Received | undefined) =>
  Object.fromEntries(new URLSearchParams(request?.body));

describe('Prometheus metrics provider: vectors and ranges', () => {
  it('answers queryVector with every sample and its labels, NaN and ±Inf as null', async () => {
    replies.set('rate(x[1m])', { json: vector('3', 'NaN', '+Inf', '-Inf') });
    const samples = await createPrometheusMetricsProvider({ url }).queryVector('rate(x[1m])');
    expect(samples).toEqual([
      { labels: { pod: 'p0' }, value: 3 },
      { labels: { pod: 'p1' }, value: null },
      { labels: { pod: 'p2' }, value: null },
      { labels: { pod: 'p3' }, value: null },
    ]);
    expect(form(received[0])).toEqual({ query: 'rate(x[1m])' });
  });

  it('sends the evaluation time in epoch seconds when asked for one', async () => {
    replies.set('up', { json: vector('1') });
    await createPrometheusMetricsProvider({ url }).queryVector('up', new Date(1_700_000_000_500));
    expect(received[0]?.path).toBe('/api/v1/query');
    expect(form(received[0])).toEqual({ query: 'up', time: '1700000000.5' });
  });

  it('answers a scalar as one sample without labels', async () => {
    replies.set('scalar(x)', { json: scalar('2') });
    expect(await createPrometheusMetricsProvider({ url }).queryVector('scalar(x)')).toEqual([
      { labels: {}, value: 2 },
    ]);
  });

  it('posts a range query to /api/v1/query_range with start, end and step', async () => {
    replies.set('x', {
      json: matrix({
        metric: { w: 'a' },
        values: [
          [1_700_000_000, '1'],
          [1_700_000_010, 'NaN'],
        ],
      }),
    });
    const provider = createPrometheusMetricsProvider({ url: `${url}/workspaces/ws-1` });
    const series = await provider.queryRange('x', {
      start: new Date(1_700_000_000_000),
      end: new Date(1_700_000_010_000),
      stepSeconds: 10,
    });
    expect(series).toEqual([
      {
        labels: { w: 'a' },
        points: [
          { t: 1_700_000_000, value: 1 },
          { t: 1_700_000_010, value: null },
        ],
      },
    ]);
    expect(received[0]?.path).toBe('/workspaces/ws-1/api/v1/query_range');
    expect(form(received[0])).toEqual({
      query: 'x',
      start: '1700000000',
      end: '1700000010',
      step: '10',
    });
  });

  it('throws MetricsQueryError when a range query does not answer a matrix, or an instant one does', async () => {
    replies.set('v', { json: vector('1') });
    replies.set('m', { json: matrix() });
    const provider = createPrometheusMetricsProvider({ url });
    const range = { start: new Date(0), end: new Date(10_000), stepSeconds: 10 };
    await expect(provider.queryRange('v', range)).rejects.toThrow(/not a matrix.*query: v/);
    await expect(provider.queryVector('m')).rejects.toThrow(MetricsQueryError);
  });

  it('refuses a bad range without asking', async () => {
    const provider = createPrometheusMetricsProvider({ url });
    const start = new Date(10_000);
    await expect(
      provider.queryRange('x', { start, end: new Date(0), stepSeconds: 10 }),
    ).rejects.toThrow(MetricsQueryError);
    await expect(provider.queryRange('x', { start, end: start, stepSeconds: 0 })).rejects.toThrow(
      /stepSeconds/,
    );
    expect(received).toHaveLength(0);
  });

  it('translates a Prometheus error on a range query into MetricsQueryError', async () => {
    replies.set('sum(', {
      status: 400,
      json: { status: 'error', errorType: 'bad_data', error: 'unexpected end of input' },
    });
    const provider = createPrometheusMetricsProvider({ url });
    const range = { start: new Date(0), end: new Date(10_000), stepSeconds: 10 };
    await expect(provider.queryRange('sum(', range)).rejects.toThrow(/bad_data.*query: sum\(/);
  });
});

/**
 * Re-signs what arrived on the wire: the signature must cover the host, path and body the
 * server actually saw.
 */
const expectSignatureOverWhatArrived = async (request: Received) => {
  const authorization = String(request.headers.authorization);
  const amzDate = String(request.headers['x-amz-date']);
  const signedHeaderNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedHeaderNames) headers[name] = String(request.headers[name]);
  const [, y, mo, d, h, mi, s] =
    /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate) ?? [];
  const expected = await new SignatureV4({
    service: 'aps',
    region: 'eu-west-1',
    credentials,
    sha256: Sha256,
  }).sign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: request.path,
      headers,
      body: request.body,
    }),
    { signingDate: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`) },
  );
  expect(authorization).toBe(expected.headers.authorization);
};

describe('Prometheus metrics provider with SigV4 (Amazon Managed Prometheus)', () => {
  it('signs range queries too, over the body sent', async () => {
    replies.set('x', { json: matrix() });
    const provider = createPrometheusMetricsProvider({
      url: `${url}/workspaces/ws-1`,
      sigv4: { region: 'eu-west-1', credentials },
    });
    const range = { start: new Date(0), end: new Date(10_000), stepSeconds: 10 };
    expect(await provider.queryRange('x', range)).toEqual([]);
    const request = received[0] as Received;
    expect(request.path).toBe('/workspaces/ws-1/api/v1/query_range');
    expect(String(request.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 .*\/aps\/aws4_request/,
    );
    expect(request.headers['x-amz-content-sha256'] ?? request.headers['x-amz-date']).toBeDefined();
  });

  it('signs each request for service aps with the given credentials', async () => {
    replies.set('up', { json: vector('1') });
    const provider = createPrometheusMetricsProvider({
      url: `${url}/workspaces/ws-1`,
      sigv4: { region: 'eu-west-1', credentials },
    });
    expect(await provider.runQuery('up')).toBe(1);

    const request = received[0] as Received;
    const authorization = String(request.headers.authorization);
    const amzDate = String(request.headers['x-amz-date']);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aps\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);

    await expectSignatureOverWhatArrived(request);
  });

  it('sends no SigV4 headers when not configured', async () => {
    await createPrometheusMetricsProvider({ url }).runQuery('up');
    expect(received[0]?.headers.authorization).toBeUndefined();
    expect(received[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it('gives up within the timeout when credentials never arrive', async () => {
    const provider = createPrometheusMetricsProvider({
      url,
      timeoutMs: 100,
      sigv4: { region: 'eu-west-1', credentials: () => new Promise(() => {}) },
    });
    await expect(provider.runQuery('up')).rejects.toThrow(/no answer within 100 ms/);
    expect(received).toHaveLength(0);
  });

  it('turns a credential failure into MetricsQueryError', async () => {
    const provider = createPrometheusMetricsProvider({
      url,
      sigv4: {
        region: 'eu-west-1',
        credentials: async () => {
          throw new Error('no credentials in the chain');
        },
      },
    });
    await expect(provider.runQuery('up')).rejects.toThrow(/no credentials in the chain.*query: up/);
    expect(received).toHaveLength(0);
  });
});
