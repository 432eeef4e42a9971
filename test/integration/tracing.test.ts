import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';
import { startInFlight } from '../support/in-flight-rollout.ts';

// Functions run as Lambda runs them with active tracing, each in a fresh Node process (the
// Tracer patches http and fetch when it starts in Lambda): X-Ray's trace header in the
// environment, and a local stand-in for the X-Ray daemon on UDP that keeps what is sent.

const ROOT = new URL('../..', import.meta.url).pathname;
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const run = promisify(execFile);

interface Subsegment {
  id: string;
  name: string;
  trace_id?: string;
  parent_id?: string;
  namespace?: string;
  http?: { request?: { url?: string; method?: string }; response?: { status?: number } };
  subsegments?: Subsegment[];
}

let daemon: ReturnType<typeof createSocket>;
const received: Subsegment[] = [];
let daemonAddress = '';

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // `{"format":"json","version":1}` then the (sub)segment, as the SDK sends them.
    const [, document] = message.toString('utf8').split('\n');
    if (document) received.push(JSON.parse(document) as Subsegment);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  daemonAddress = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => daemon.close(() => resolve())));

/** Every subsegment, nested ones too. */
const flat = (segments: Subsegment[]): Subsegment[] =>
  segments.flatMap((s) => [s, ...flat(s.subsegments ?? [])]);

// The handler's answer, on a line of its own among the log records on stdout.
const RESULT = 'handler result: ';

/**
 * Runs `handler(event)` of functions/<fn>.ts in a fresh process, as Lambda with tracing: the
 * (sub)segments the daemon received, and what the handler answered.
 */
const invoke = async (fn: string, event: unknown, env: Record<string, string>) => {
  received.length = 0;
  const script = `const { handler } = await import('./functions/${fn}.ts');
const result = await handler(${JSON.stringify(event)}, { functionName: 'kanari-test-${fn}', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 29000 });
console.log(${JSON.stringify(RESULT)} + JSON.stringify(result ?? null));
await new Promise((resolve) => setTimeout(resolve, 200));`;
  const args = ['--import', 'tsx', '--input-type=module', '-e', script];
  const { stdout } = await run(process.execPath, args, {
    cwd: ROOT,
    timeout: 60_000,
    env: {
      ...process.env,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: `kanari-test-${fn}`,
      LAMBDA_TASK_ROOT: ROOT,
      _HANDLER: `functions/${fn}.handler`,
      _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: daemonAddress,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      POWERTOOLS_TRACE_ENABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...env,
    },
  });
  // The last datagrams may still be in flight.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const answer = stdout.split('\n').find((line) => line.startsWith(RESULT));
  return {
    segments: flat(received),
    result: JSON.parse(answer?.slice(RESULT.length) ?? 'null') as unknown,
  };
};

const TOKEN = 'trace-test-token';

/** An API Gateway (HTTP API) request to the console, with a bearer token it accepts. */
const apiRequest = (method: 'GET' | 'POST', path: string, body?: unknown) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  requestContext: {
    accountId: '000000000000',
    apiId: 'local',
    requestId: 'q-1',
    routeKey: '$default',
    stage: '$default',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  isBase64Encoded: false,
});

/** A DynamoDB Local table of its own. */
const freshTable = async () => {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `kanari-trace-${randomUUID()}`;
  await createTable({ endpoint, tableName });
  const store = createDynamoRolloutStore({
    client: localDynamoClients(endpoint).dynamo,
    tableName,
  });
  return { endpoint, tableName, store };
};

describe('X-Ray tracing of outgoing calls', () => {
  it('traces the Kubernetes and DynamoDB calls of a shift-traffic invocation', async () => {
    const emulator: KubeEmulator = await startKubeEmulator();
    try {
      const vs = seedVirtualService();
      const routes = vs.spec.http?.[0]?.route ?? [];
      (routes[0] as { weight: number }).weight = 90;
      (routes[1] as { weight: number }).weight = 10;
      emulator.seed(vs);
      const { endpoint, tableName, store } = await freshTable();
      await startInFlight(store, seedSpec());
      // The drift check: the in-flight rollouts from DynamoDB, each VirtualService from the cluster.
      const { segments } = await invoke(
        'shift-traffic',
        { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
        {
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          KANARI_TABLE: tableName,
          KUBECONFIG: emulator.kubeconfigPath,
          PROMETHEUS_URL: '',
        },
      );
      // Each call a subsegment of the handler's, in the invocation's trace (X-Ray leaves the port
      // out of the URL): the VirtualService read over https, DynamoDB's Queries over http.
      const handler = segments.find((s) => s.name === '## functions/shift-traffic.handler');
      const calls = segments.filter((s) => s.http?.request?.url);
      const kubernetes = calls.filter(
        (s) =>
          s.http?.request?.url ===
          'https://127.0.0.1/apis/networking.istio.io/v1/namespaces/default/virtualservices/my-service',
      );
      expect(kubernetes).toHaveLength(1);
      expect(kubernetes[0]?.http).toMatchObject({
        request: { method: 'GET' },
        response: { status: 200 },
      });
      const dynamo = calls.filter((s) => s.http?.request?.url === 'http://127.0.0.1/');
      // The due index's 16 shards, queried in parallel.
      expect(dynamo.length).toBeGreaterThanOrEqual(16);
      for (const call of calls)
        expect(call).toMatchObject({
          namespace: 'remote',
          trace_id: TRACE_ROOT,
          parent_id: handler?.id,
        });
    } finally {
      await emulator.stop();
    }
  });

  it('traces a notification posted with fetch', async () => {
    const hook = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      const { segments } = await invoke(
        'notify',
        {
          version: '0',
          id: 'e-1',
          source: 'kanari',
          'detail-type': 'Rollout Succeeded',
          time: '2030-01-01T12:00:00Z',
          detail: {
            rolloutId: 'prod/shop/cart',
            revision: 1,
            stateVersion: 3,
            decisionId: 'd-1',
            cause: { type: 'analysis' },
            phase: 'Succeeded',
          },
        },
        {
          KANARI_NOTIFY_TARGETS: JSON.stringify({ audit: { type: 'webhook', secretEnv: 'HOOK' } }),
          HOOK: url,
        },
      );
      // The receiver's call, inside the handler's subsegment, in the invocation's trace.
      const handler = segments.find((s) => s.name === '## functions/notify.handler');
      const post = segments.find((s) => s.http?.request?.url?.endsWith('/hook'));
      expect(post).toMatchObject({
        name: '127.0.0.1',
        namespace: 'remote',
        trace_id: TRACE_ROOT,
        parent_id: handler?.id,
        http: { request: { method: 'POST' }, response: { status: 200 } },
      });
    } finally {
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });

  it('traces the DynamoDB calls of a console request', async () => {
    const { endpoint, tableName, store } = await freshTable();
    const state = await startInFlight(store, seedSpec());
    // A rollout with its ledger: the rollout's item, then a page of its ledger.
    const { segments, result } = await invoke(
      'console',
      apiRequest('GET', `/rollouts/${state.id}`),
      {
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        KANARI_TABLE: tableName,
        KANARI_API_TOKENS: `alice=${TOKEN}`,
        PROMETHEUS_URL: 'http://127.0.0.1:9',
      },
    );
    expect(result).toMatchObject({ statusCode: 200 });
    const handler = segments.find((s) => s.name === '## functions/console.handler');
    const dynamo = segments.filter((s) => s.http?.request?.url === 'http://127.0.0.1/');
    expect(dynamo.length).toBeGreaterThanOrEqual(2);
    for (const call of dynamo)
      expect(call).toMatchObject({
        namespace: 'remote',
        trace_id: TRACE_ROOT,
        parent_id: handler?.id,
        http: { request: { method: 'POST' }, response: { status: 200 } },
      });
  });

  it("traces a console preflight's Kubernetes read and Prometheus queries", async () => {
    const emulator: KubeEmulator = await startKubeEmulator();
    // A Prometheus stand-in that has one sample for every query.
    const prometheus = createServer((req, res) =>
      req.resume().on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] },
          }),
        ),
      ),
    );
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      emulator.seed(seedVirtualService());
      const { segments, result } = await invoke(
        'console',
        apiRequest('POST', '/rollouts/preflight', seedSpec()),
        {
          KANARI_API_TOKENS: `alice=${TOKEN}`,
          KUBECONFIG: emulator.kubeconfigPath,
          PROMETHEUS_URL: `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`,
        },
      );
      // Every check ran and passed: the spec's schema and the preflight clients were loaded.
      expect(JSON.parse((result as { body: string }).body)).toMatchObject({ ok: true });
      const handler = segments.find((s) => s.name === '## functions/console.handler');
      const calls = segments.filter((s) => s.http?.request?.url);
      const kubernetes = calls.filter(
        (s) =>
          s.http?.request?.url ===
          'https://127.0.0.1/apis/networking.istio.io/v1/namespaces/default/virtualservices/my-service',
      );
      expect(kubernetes).toHaveLength(1);
      expect(kubernetes[0]?.http).toMatchObject({
        request: { method: 'GET' },
        response: { status: 200 },
      });
      // Prometheus, over fetch: that it answers, then each built-in metric for the primary.
      const queries = calls.filter((s) => s.http?.request?.url === 'http://127.0.0.1/api/v1/query');
      expect(queries.length).toBe(1 + seedSpec().analysis.metrics.length);
      for (const call of [...kubernetes, ...queries])
        expect(call).toMatchObject({
          namespace: 'remote',
          trace_id: TRACE_ROOT,
          parent_id: handler?.id,
        });
    } finally {
      await new Promise<void>((resolve) => prometheus.close(() => resolve()));
      await emulator.stop();
    }
  });
});
