import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/shared/http.ts';
import { LEDGER_PREFIX, rolloutPK } from '../../lib/adapters/dynamodb/keys.ts';
import { applyDecision } from '../../lib/app/apply-decision.ts';
import { OPERATOR_ACTIONS } from '../../lib/app/operator-action.ts';
import { TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import { isTerminal, PHASES } from '../../lib/domain/phase.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { SEED_VIRTUAL_SERVICE } from '../../sandbox/seed.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';
import { FakeTrafficRouter } from '../fakes/fake-traffic-router.ts';
import { serviceNamed, specNamed } from '../support/cli-runner.ts';
import { seedSpec } from '../support/fixtures.ts';
import { type FunctionEnv, prepareFunctionEnv } from '../support/function-env.ts';
import {
  type BodyEncoding,
  bodyEncoding,
  encodeBody,
  hostileString,
  hugeString,
  invalidJson,
  junkString,
  mutatedJson,
} from '../support/fuzz-arbitraries.ts';
import { startInFlight } from '../support/in-flight-rollout.ts';

/**
 * Fuzzes every HTTP endpoint: the real console and alerts handlers, in this process, get
 * API Gateway v2 events built by fast-check. Storage is DynamoDB Local, Kubernetes the
 * emulator, Prometheus a stub that answers 1 to every query (so valid specs pass preflight).
 * For every input: the answer is a 2xx or a 4xx, never a 5xx nor a throw; a 4xx body is JSON
 * with a string `error`; and a 4xx changes nothing. The DynamoDB table, the VirtualService and
 * the published events are compared before and after EVERY 4xx: the "after" of one input is
 * the "before" of the next, so it costs one table scan per input. What a 2xx publishes must be
 * something shift-traffic can carry out: it is applied at once (see `settle`), and a throw fails.
 */

const TOKEN = randomBytes(12).toString('hex');
const AM_TOKEN = 'am-token-for-fuzz';
const SSM_TOKEN = 'ssm-token-for-fuzz';
const GRAFANA_KEY = 'grafana-key-for-fuzz';
const CUSTOM_KEY = 'custom-key-for-fuzz';
const SOURCES = {
  alertmanager: { type: 'alertmanager', auth: 'bearer', secretEnv: 'KANARI_FUZZ_AM_TOKEN' },
  'alertmanager-ssm': { type: 'alertmanager', auth: 'bearer', ssmParameter: '/kanari/am-token' },
  grafana: {
    type: 'grafana',
    auth: 'hmac',
    secretEnv: 'KANARI_FUZZ_GRAFANA_KEY',
    timestampHeader: 'X-Grafana-Alerting-Signature-Timestamp',
  },
  custom: {
    type: 'generic',
    auth: 'hmac',
    secretEnv: 'KANARI_FUZZ_CUSTOM_KEY',
    mapping: { id: 'id', name: 'title', status: 'state', labels: 'tags' },
  },
};

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

let env: FunctionEnv;
let emulator: KubeEmulator;
let prometheus: Server;
let consoleHandler: Handler;
let alertsHandler: Handler;
/** The last `unhandled error` the handlers logged, shown with a 5xx. */
let lastUnhandled = '';
const tally = { inputs: 0, ok: 0, refused: 0 };

const context = {
  functionName: 'kanari-fuzz',
  awsRequestId: 'fuzz',
  getRemainingTimeInMillis: () => 29_000,
} as unknown as Context;

/** A Prometheus that answers every instant query with 1. */
const startPrometheusStub = async (): Promise<Server> => {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '1'] }] },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8'));

/** An in-flight rollout on the seed, which alerts about `service: my-service` roll back. */
const inFlight = (name: string): RolloutSpec => ({
  ...seedSpec(),
  name,
  alerts: {
    bakeWindow: '0s',
    matchers: [{ labels: { service: 'my-service' }, action: 'rollback' }],
  },
});

/**
 * The rollout actions and alerts act on. What an accepted request publishes is carried out as
 * shift-traffic would (on an in-memory VirtualService), so the next request meets the state it
 * leads to. Once the live rollout has ended, or the table holds many items, the table is emptied
 * and the live rollout starts again, so actions keep meeting a rollout they may act on.
 */
const LIVE = 'live';
const LIVE_ID = `sandbox/default/${LIVE}`;
const router = new FakeTrafficRouter();
let published = 0;

const settle = async (): Promise<void> => {
  const requests = env.events
    .slice(published)
    .filter((e) => TRAFFIC_REQUESTS.includes(e.DetailType as never));
  published = env.events.length;
  const deps = {
    store: env.store,
    bus: new FakeEventBus(),
    router,
    now: () => new Date(),
    newId: randomUUID,
  };
  for (const request of requests) await applyDecision(deps, JSON.parse(request.Detail));
};

const tidy = async (items: number): Promise<void> => {
  const state = await env.store.get(LIVE_ID);
  if (state && !isTerminal(state.phase) && items < 60) return;
  await env.clear();
  await startInFlight(env.store, inFlight(LIVE));
};

beforeAll(async () => {
  emulator = await startKubeEmulator();
  emulator.seed(SEED_VIRTUAL_SERVICE);
  emulator.seed(serviceNamed('fresh'));
  router.put('sandbox', SEED_VIRTUAL_SERVICE);
  router.put('sandbox', serviceNamed('fresh'));
  prometheus = await startPrometheusStub();
  env = await prepareFunctionEnv(
    inject('dynamoEndpoint'),
    {
      KUBECONFIG: emulator.kubeconfigPath,
      KANARI_API_TOKENS: `alice=${TOKEN}`,
      PROMETHEUS_URL: `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`,
      KANARI_ALERT_SOURCES: JSON.stringify(SOURCES),
      KANARI_FUZZ_AM_TOKEN: AM_TOKEN,
      KANARI_FUZZ_GRAFANA_KEY: GRAFANA_KEY,
      KANARI_FUZZ_CUSTOM_KEY: CUSTOM_KEY,
    },
    { '/kanari/am-token': SSM_TOKEN },
  );
  // Both handlers read their configuration when first imported.
  ({ handler: consoleHandler } = (await import('../../functions/console.ts')) as unknown as {
    handler: Handler;
  });
  ({ handler: alertsHandler } = (await import('../../functions/alerts.ts')) as unknown as {
    handler: Handler;
  });
  await startInFlight(env.store, inFlight(LIVE));
  // One JSON line per invocation (Powertools' Logger writes them itself, ERROR ones to stderr)
  // would drown the report; keep the last unhandled error only.
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      const text = String(chunk);
      if (text.includes('"unhandled error"')) lastUnhandled = text.trim();
      return true;
    });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await env?.restore();
  await emulator?.stop();
  await new Promise((resolve) => prometheus?.close(resolve));
});

/** One request as API Gateway v2 describes it. */
interface Request {
  method: string;
  path: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
}

const eventOf = (r: Request): HttpEvent =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: r.path,
    rawQueryString: r.query ? new URLSearchParams(r.query).toString() : '',
    headers: { ...r.headers },
    ...(r.query ? { queryStringParameters: { ...r.query } } : {}),
    ...(r.pathParameters ? { pathParameters: { ...r.pathParameters } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'fuzz',
      domainName: 'fuzz.local',
      domainPrefix: 'fuzz',
      requestId: 'fuzz',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      http: {
        method: r.method,
        path: r.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'fuzz',
      },
    },
    ...(r.body !== undefined ? { body: r.body } : {}),
    isBase64Encoded: r.isBase64Encoded,
  }) as unknown as HttpEvent;

/** What a 4xx must leave alone: every table item, the VirtualService, the published events. */
const world = async (): Promise<string> =>
  JSON.stringify([
    await env.snapshot().then((items) => {
      tableItems = items.length;
      return items;
    }),
    emulator.read('networking.istio.io/v1', 'VirtualService', 'default', 'my-service'),
    env.events.length,
  ]);

let before = '';
let tableItems = 0;

/** Sends one request and checks the oracle; a failure makes fast-check shrink the request. */
const send = async (handler: Handler, request: Request): Promise<void> => {
  lastUnhandled = '';
  const result = await handler(eventOf(request), context);
  const status = result.statusCode ?? 0;
  const previous = before;
  before = await world();
  tally.inputs++;
  const what = `${request.method} ${request.path.slice(0, 200)} → ${status} ${result.body?.slice(0, 500)} ${lastUnhandled}`;
  expect((status >= 200 && status < 300) || (status >= 400 && status < 500), what).toBe(true);
  if (status < 400) {
    tally.ok++;
    await settle();
    await tidy(tableItems);
    before = await world();
    return;
  }
  tally.refused++;
  const body = JSON.parse(result.body ?? '') as { error?: unknown };
  expect(typeof body.error, what).toBe('string');
  expect(before, `${what}: a 4xx changed something`).toBe(previous);
};

const weighted = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, weight = 3) =>
  fc.oneof({ weight, arbitrary: common }, { weight: 1, arbitrary: rare });

/** Percent-encoded as a client would; a lone surrogate cannot be, and is sent as it is. */
const encoded = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
};

/** A path or query part: usually one that exists, else junk, sometimes percent-encoded. */
const part = (...valid: string[]) =>
  fc
    .tuple(weighted(fc.constantFrom(...valid), junkString, 2), fc.boolean())
    .map(([text, encode]) => (encode ? encoded(text) : text));

const idParts = fc.tuple(
  part('sandbox', 'elsewhere'),
  part('default'),
  part(LIVE, LIVE, 'fresh', 'absent'),
);
const action = weighted(fc.constantFrom(...OPERATOR_ACTIONS), junkString);
const LIVE_PATH = `/rollouts/${LIVE_ID}`;

const anyPath = fc.oneof(
  fc.constantFrom(
    '/',
    '/app.js',
    '/app.css',
    '/rollouts',
    '/rollouts/',
    '/rollouts/preflight',
    '//',
    '/rollouts//',
    '/ROLLOUTS',
    `${LIVE_PATH}/`,
    `${LIVE_PATH}/actions`,
  ),
  idParts.map((ids) => `/rollouts/${ids.join('/')}`),
  idParts.map((ids) => `/rollouts/${ids.join('/')}/revisions`),
  fc.tuple(idParts, action).map(([ids, a]) => `/rollouts/${ids.join('/')}/actions/${a}`),
  fc.array(junkString, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  fc.array(junkString, { maxLength: 5 }).map((parts) => `/rollouts/${parts.join('/')}`),
);

/** The live id, or junk in one of its parts. */
const rolloutPath = weighted(
  fc.constant(LIVE_PATH),
  idParts.map((ids) => `/rollouts/${ids.join('/')}`),
);

/** As API Gateway's own routes would set them, already decoded; the router keeps them. */
const pathParameters = fc.record(
  {
    cluster: weighted(fc.constant('sandbox'), junkString, 1),
    namespace: weighted(fc.constant('default'), junkString, 1),
    name: weighted(fc.constant(LIVE), junkString, 1),
    action,
  },
  { requiredKeys: [] },
);

/** Cursors as this API makes them (base64url JSON keys), of the live rollout or not. */
const cursor = fc
  .record({
    PK: weighted(fc.constant(rolloutPK(LIVE_ID)), junkString),
    SK: fc.oneof(
      fc.constant(LEDGER_PREFIX),
      junkString.map((s) => `${LEDGER_PREFIX}${s}`),
      hugeString.map((s) => `${LEDGER_PREFIX}${s}`),
      junkString,
    ),
  })
  .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));

const queryValue = fc.oneof(
  junkString,
  fc.constantFrom(
    ...PHASES,
    'progressing',
    'Sleeping',
    'sandbox',
    'default',
    '1',
    '100',
    '1000',
    '1001',
    '0',
    '-1',
    '1e3',
    '0x10',
    '1.5',
    ' 7 ',
    '9007199254740993',
    'Infinity',
  ),
  cursor,
);
const query = fc.dictionary(
  weighted(fc.constantFrom('cursor', 'limit', 'phase', 'cluster', 'namespace'), junkString),
  queryValue,
  { maxKeys: 4 },
);

const authorization = fc.oneof(
  { weight: 24, arbitrary: fc.constant(`Bearer ${TOKEN}`) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      `bearer ${TOKEN}`,
      `BEARER ${TOKEN}`,
      `Bearer  ${TOKEN}`,
      `Bearer ${TOKEN} `,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Bearer ${TOKEN},Bearer other`,
      'Bearer wrong',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`alice:${TOKEN}`).toString('base64')}`,
      TOKEN,
      '',
    ),
  },
  { weight: 1, arbitrary: hugeString.map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: junkString },
);

const headers = fc
  .record({
    auth: fc.option(
      fc.tuple(
        weighted(
          fc.constant('authorization'),
          fc.constantFrom('Authorization', 'AUTHORIZATION'),
          8,
        ),
        authorization,
      ),
      { freq: 12 },
    ),
    type: fc.option(
      fc.oneof(
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
        junkString,
      ),
    ),
    extra: fc.dictionary(junkString, junkString, { maxKeys: 2 }),
  })
  .map(({ auth, type, extra }) => ({
    ...extra,
    ...(type !== null ? { 'content-type': type } : {}),
    ...(auth ? { [auth[0]]: auth[1] } : {}),
  }));

/** Random bytes, or JSON whose string holds bytes that are not UTF-8. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.constantFrom(
    Buffer.from('{"reason":"\xff\xfe\xc3"}', 'latin1'),
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  ),
);

/** Mostly as text; sometimes base64 of it, random bytes, or text that claims to be base64. */
const bodyOf = (text: fc.Arbitrary<string>) =>
  fc.option(fc.tuple(text, bodyEncoding, bytes), { freq: 8 });
/** A body as text, to reach the checks past JSON parsing more often. */
const textBody = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.constant<BodyEncoding>('text'), fc.constant(new Uint8Array()));

const SPEC = specNamed('fresh');
const ACTION = { reason: 'fuzzing', full: true };
const specText = fc.oneof(
  // A new name each time, so that valid specs start rollouts rather than update one.
  {
    weight: 4,
    arbitrary: mutatedJson(
      SPEC,
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/).map((name) => ({ ...SPEC, name })),
    ),
  },
  { weight: 1, arbitrary: mutatedJson(inFlight(LIVE)) },
  { weight: 1, arbitrary: invalidJson(JSON.stringify(SPEC)) },
);
const actionText = fc.oneof(
  { weight: 4, arbitrary: mutatedJson(ACTION) },
  { weight: 1, arbitrary: mutatedJson({ reason: 'fuzzing' }) },
  { weight: 1, arbitrary: invalidJson(JSON.stringify(ACTION)) },
);
const anyText = fc.oneof(
  specText,
  actionText,
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

const consoleRequest = (
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<[string, BodyEncoding, Uint8Array] | null>,
): fc.Arbitrary<Request> =>
  fc
    .record({
      method,
      path,
      pathParameters: fc.option(pathParameters, { freq: 5 }),
      query: fc.option(query, { freq: 2 }),
      headers,
      body,
    })
    .map(({ pathParameters, query, body, ...rest }) => ({
      ...rest,
      ...(pathParameters ? { pathParameters } : {}),
      ...(query ? { query } : {}),
      ...(body ? encodeBody(...body) : { isBase64Encoded: false }),
    }));

const alertmanager = fixture('alertmanager-v4.json');
const grafana = fixture('grafana-alerting.json');
const custom = { id: 'c-1', title: 'DiskFull', state: 'firing', tags: { service: 'my-service' } };

type Auth =
  | 'valid'
  | 'wrong'
  | 'none'
  | 'lowercase'
  | 'huge'
  | 'stale'
  | 'junk-timestamp'
  | 'prefixed';

const bearer = (token: string, auth: Auth, junk: string) => ({
  authorization:
    auth === 'lowercase'
      ? `bearer ${token}`
      : auth === 'huge'
        ? `Bearer ${token}${'x'.repeat(5000)}`
        : auth === 'wrong'
          ? `Bearer ${junk}`
          : `Bearer ${token}`,
});

const hmac = (
  key: string,
  header: string,
  raw: Buffer,
  auth: Auth,
  junk: string,
  timestampHeader?: string,
): Record<string, string> => {
  const now = Math.floor(Date.now() / 1000);
  const seconds =
    auth === 'stale' ? String(now - 600) : auth === 'junk-timestamp' ? junk : String(now);
  const signed = createHmac('sha256', auth === 'wrong' ? `${junk}x` : key);
  if (timestampHeader) signed.update(`${seconds}:`);
  const signature = signed.update(raw).digest('hex');
  return {
    [header]:
      auth === 'prefixed'
        ? `sha256=${signature}`
        : auth === 'huge'
          ? signature.repeat(80)
          : signature,
    ...(timestampHeader ? { [timestampHeader]: seconds } : {}),
  };
};

/** The headers `source` authenticates with, for the bytes as delivered. */
const authHeaders = (
  source: string,
  raw: Buffer,
  auth: Auth,
  junk: string,
): Record<string, string> => {
  if (auth === 'none') return {};
  if (source === 'alertmanager') return bearer(AM_TOKEN, auth, junk);
  if (source === 'alertmanager-ssm') return bearer(SSM_TOKEN, auth, junk);
  if (source === 'grafana')
    return hmac(
      GRAFANA_KEY,
      'x-grafana-alerting-signature',
      raw,
      auth,
      junk,
      'x-grafana-alerting-signature-timestamp',
    );
  if (source === 'custom') return hmac(CUSTOM_KEY, 'x-kanari-signature', raw, auth, junk);
  return {
    ...bearer(AM_TOKEN, auth, junk),
    ...hmac(CUSTOM_KEY, 'x-kanari-signature', raw, auth, junk),
  };
};

const alertText = fc.oneof(
  { weight: 3, arbitrary: mutatedJson(alertmanager) },
  { weight: 3, arbitrary: mutatedJson(grafana) },
  { weight: 2, arbitrary: mutatedJson(custom) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: invalidJson(JSON.stringify(alertmanager)) },
);

const alertRequest: fc.Arbitrary<Request> = fc
  .record({
    source: weighted(
      fc.constantFrom('alertmanager', 'alertmanager-ssm', 'grafana', 'custom'),
      fc.oneof(hostileString, junkString, fc.constantFrom('nagios', 'ALERTMANAGER')),
      6,
    ),
    method: weighted(fc.constant('POST'), fc.constantFrom(...METHODS), 6),
    body: fc.tuple(alertText, bodyEncoding, bytes),
    auth: weighted(
      fc.constant<Auth>('valid'),
      fc.constantFrom<Auth>(
        'wrong',
        'none',
        'lowercase',
        'huge',
        'stale',
        'junk-timestamp',
        'prefixed',
      ),
      2,
    ),
    junk: junkString,
    extra: fc.dictionary(junkString, junkString, { maxKeys: 2 }),
    type: fc.option(junkString),
  })
  .map(({ source, method, body, auth, junk, extra, type }) => {
    const { raw, ...delivered } = encodeBody(...body);
    return {
      method,
      path: `/alerts/${source}`,
      pathParameters: { source },
      headers: {
        ...extra,
        'content-type': type ?? 'application/json',
        ...authHeaders(source, raw, auth, junk),
      },
      ...delivered,
    };
  });

describe('every HTTP endpoint answers 2xx or a JSON 4xx that changes nothing', () => {
  let started = 0;
  beforeAll(() => {
    started = performance.now();
  });
  afterAll(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(
      `http fuzz: ${tally.inputs} inputs, ${tally.ok} 2xx, ${tally.refused} 4xx, 0 5xx in ${seconds} s`,
    );
  });

  /** A fixed seed per property, so a failure in CI is the same failure locally. */
  const check = async (
    arbitrary: fc.Arbitrary<Request>,
    handler: () => Handler,
    numRuns: number,
    seed: number,
  ) => {
    before = await world();
    await fc.assert(
      fc.asyncProperty(arbitrary, (request) => send(handler(), request)),
      { numRuns, seed },
    );
  };

  it('the console API: any method, path, query, headers and body (3,000 inputs)', async () => {
    await check(
      consoleRequest(fc.constantFrom(...METHODS), anyPath, bodyOf(anyText)),
      () => consoleHandler,
      3000,
      101,
    );
  });

  it('POST /rollouts and /rollouts/preflight: mutations of a valid spec (2,000 inputs)', async () => {
    await check(
      consoleRequest(
        fc.constant('POST'),
        fc.constantFrom('/rollouts', '/rollouts/preflight'),
        textBody(specText),
      ),
      () => consoleHandler,
      2000,
      102,
    );
  });

  it('POST …/actions/{action}: mutations of a valid action body (1,500 inputs)', async () => {
    await check(
      consoleRequest(
        fc.constant('POST'),
        fc.tuple(rolloutPath, action).map(([path, a]) => `${path}/actions/${a}`),
        textBody(actionText),
      ),
      () => consoleHandler,
      1500,
      103,
    );
  });

  it('GET a rollout, its revisions and the list: junk in ids and queries (1,000 inputs)', async () => {
    await check(
      consoleRequest(
        fc.constant('GET'),
        fc.oneof(
          rolloutPath,
          rolloutPath.map((p) => `${p}/revisions`),
          fc.constant('/rollouts'),
        ),
        bodyOf(anyText),
      ),
      () => consoleHandler,
      1000,
      104,
    );
  });

  it('POST /alerts/{source}: signed and unsigned mutations of each payload (2,500 inputs)', async () => {
    await check(alertRequest, () => alertsHandler, 2500, 105);
  });
});
