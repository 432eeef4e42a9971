import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import { BUILTIN_METRICS } from '../../lib/domain/builtin-metrics.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import { renderTemplate } from '../../lib/domain/template.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { createTable } from '../../sandbox/dynamodb-local.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { type RunningPrometheus, startPrometheus } from '../../sandbox/prometheus.ts';
import { SEED_VIRTUAL_SERVICE } from '../../sandbox/seed.ts';
import { pollUntil } from '../../sandbox/service-process.ts';
import { startWorkloadTraffic } from './workload-traffic.ts';

/**
 * The real console and shift-traffic handlers, in this process, behind two small stand-ins:
 * an HTTP server that turns requests into API Gateway v2 events, and an EventBridge endpoint
 * that records PutEvents and delivers the traffic requests to shift-traffic, as the rule in
 * serverless.yml does. Storage is DynamoDB Local; Kubernetes is the emulator; a real
 * Prometheus scrapes Istio-style telemetry for the workloads of each seeded VirtualService.
 */
export interface ConsoleHarness {
  url: string;
  /** Token names: `alice` is valid. */
  token: string;
  emulator: KubeEmulator;
  prometheus: RunningPrometheus;
  /** The DynamoDB Local table the handlers write. */
  tableName: string;
  /**
   * Seeds a VirtualService, serves traffic for every host it routes to, and resolves once
   * Prometheus has the built-in metrics for them (preflight asks for the primary's).
   */
  seedService(vs: VirtualService): Promise<void>;
  /**
   * Every API request, in order, with its Authorization scheme and, for SigV4, its credential
   * scope without the key id (never the token or signature: tests print what they compare).
   */
  requests: { method: string; path: string; scheme: string; scope?: string }[];
  /** Every event published, in order. */
  events: { detailType: string; detail: Record<string, unknown> }[];
  /** Resolves once every traffic request published so far has been handled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const lambdaContext = (name: string): Context =>
  ({
    functionName: name,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 29_000,
  }) as unknown as Context;

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

export const startConsoleHarness = async (dynamoEndpoint: string): Promise<ConsoleHarness> => {
  const emulator = await startKubeEmulator();
  emulator.seed(SEED_VIRTUAL_SERVICE);
  const traffic = await startWorkloadTraffic();
  const prometheus = await startPrometheus({ scrapeTargets: [traffic.target] }).catch(
    async (error) => {
      await Promise.all([traffic.stop(), emulator.stop()]);
      throw error;
    },
  );
  const metrics = createPrometheusMetricsProvider({ url: prometheus.url, timeoutMs: 2_000 });
  const seedService = async (vs: VirtualService) => {
    emulator.seed(vs);
    const namespace = vs.metadata.namespace ?? 'default';
    const workloads = new Set(
      (vs.spec.http ?? []).flatMap((route) =>
        (route.route ?? []).map((r) => r.destination.host.split('.')[0] as string),
      ),
    );
    for (const workload of workloads) traffic.serve(namespace, workload);
    const hasData = async () => {
      for (const workload of workloads)
        for (const template of Object.values(BUILTIN_METRICS)) {
          const query = renderTemplate(template, { namespace, target: workload, interval: '1m' });
          if ((await metrics.runQuery(query)) === null) return false;
        }
      return true;
    };
    if (!(await pollUntil(hasData, 20_000, 250)))
      throw new Error(`Prometheus had no series for ${[...workloads].join(', ')} after 20 s`);
  };
  const tableName = `kanari-console-${randomUUID()}`;
  await createTable({ endpoint: dynamoEndpoint, tableName });

  const events: ConsoleHarness['events'] = [];
  let deliveries: Promise<unknown> = Promise.resolve();
  let shiftTraffic: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
  const eventBridge = createServer(async (request, response) => {
    const { Entries = [] } = JSON.parse(await readBody(request)) as {
      Entries?: { DetailType: string; Detail: string; Source: string }[];
    };
    for (const entry of Entries) {
      const detail = JSON.parse(entry.Detail) as Record<string, unknown>;
      events.push({ detailType: entry.DetailType, detail });
      if (!TRAFFIC_REQUESTS.includes(entry.DetailType as never)) continue;
      const envelope = {
        version: '0',
        id: randomUUID(),
        source: entry.Source,
        'detail-type': entry.DetailType,
        time: new Date().toISOString(),
        account: '000000000000',
        region: 'us-east-1',
        resources: [],
        detail,
      };
      // Delivered after the answer, one at a time, as EventBridge would (asynchronously).
      deliveries = deliveries.then(() =>
        shiftTraffic?.(envelope, lambdaContext('shift-traffic')).catch(() => undefined),
      );
    }
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    response.end(
      JSON.stringify({
        FailedEntryCount: 0,
        Entries: Entries.map(() => ({ EventId: randomUUID() })),
      }),
    );
  });
  const eventBridgeUrl = await listen(eventBridge);

  const token = randomBytes(12).toString('hex');
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeUrl,
    KANARI_TABLE: tableName,
    KANARI_EVENT_BUS: 'kanari-test',
    KUBECONFIG: emulator.kubeconfigPath,
    KANARI_API_TOKENS: `alice=${token}`,
    PROMETHEUS_URL: prometheus.url,
  });
  // The handlers read their configuration when first imported.
  const { handler: consoleHandler } = await import('../../functions/console.ts');
  ({ handler: shiftTraffic } = await import('../../functions/shift-traffic.ts'));

  const requests: ConsoleHarness['requests'] = [];
  const api = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const authorization = request.headers.authorization ?? '';
    const scope = /Credential=[^/]+\/\d+\/([^,]+)/.exec(authorization)?.[1];
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      scheme: authorization.split(' ')[0] ?? '',
      ...(scope ? { scope } : {}),
    });
    const body = await readBody(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    ) as Record<string, string>;
    const query = Object.fromEntries(url.searchParams);
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: url.host,
        domainPrefix: 'local',
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
        http: {
          method: request.method ?? 'GET',
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
      },
      ...(body ? { body } : {}),
      isBase64Encoded: false,
    };
    const result = (await consoleHandler(event as never, lambdaContext('console'))) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    response.writeHead(result.statusCode, result.headers ?? {});
    response.end(result.body ?? '');
  });
  const url = await listen(api);

  return {
    url,
    token,
    emulator,
    prometheus,
    tableName,
    seedService,
    requests,
    events,
    settled: async () => {
      // A delivery may publish more; wait until the queue stops growing.
      for (let last: Promise<unknown> | undefined; last !== deliveries; ) {
        last = deliveries;
        await last;
      }
    },
    stop: async () => {
      await new Promise((resolve) => api.close(resolve));
      await new Promise((resolve) => eventBridge.close(resolve));
      await emulator.stop();
      await prometheus.stop();
      await traffic.stop();
    },
  };
};
