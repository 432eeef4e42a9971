import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetricsProvider } from '../../lib/adapters/prometheus/index.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import {
  basicAuthorization,
  type RunningPrometheus,
  startPrometheus,
} from '../../sandbox/prometheus.ts';

// A real Prometheus behind basic auth (its --web.config.file), and in front of it a loopback
// proxy that admits a bearer token, as a gateway in front of Prometheus would.

const USER = { username: 'kanari', password: 'correct horse battery staple' };
const TOKEN = 'token-that-must-not-leak';
let prometheus: RunningPrometheus;
let gateway = '';
const proxy = createServer((req, res) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`)
    return res.writeHead(401).end('Unauthorized');
  const target = new URL(req.url ?? '/', prometheus.url);
  const upstream = httpRequest(
    target,
    {
      method: req.method,
      headers: { ...req.headers, host: target.host, authorization: basicAuthorization(USER) },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  req.pipe(upstream);
});

beforeAll(async () => {
  prometheus = await startPrometheus({ scrapeTargets: [], basicAuth: USER });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  gateway = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await prometheus?.stop();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected the query to fail'),
    (error: unknown) => error as Error,
  );

describe('Prometheus behind basic auth (the real server checks it)', () => {
  const basic = (password: string) =>
    createPrometheusMetricsProvider({
      url: prometheus.url,
      auth: { type: 'basic', username: USER.username, password: async () => password },
    });

  it('answers a query with the right user and password', async () => {
    expect(await basic(USER.password).runQuery('vector(42)')).toBe(42);
  });

  it('is refused without credentials or with a wrong password, and the error holds no secret', async () => {
    for (const provider of [
      createPrometheusMetricsProvider({ url: prometheus.url }),
      basic('wrong'),
    ]) {
      const error = await failure(provider.runQuery('vector(1)'));
      expect(error).toBeInstanceOf(MetricsQueryError);
      expect(error.message).toMatch(/HTTP 401/);
      expect(error.message).not.toContain('wrong');
      expect(error.message).not.toContain(USER.password);
    }
  });
});

describe('Prometheus behind a bearer token', () => {
  const bearer = (token: string) =>
    createPrometheusMetricsProvider({
      url: gateway,
      auth: { type: 'bearer', token: async () => token },
    });

  it('answers a query with the right token, asking for the token on every request', async () => {
    let asked = 0;
    const provider = createPrometheusMetricsProvider({
      url: gateway,
      auth: {
        type: 'bearer',
        token: async () => {
          asked += 1;
          return TOKEN;
        },
      },
    });
    expect(await provider.runQuery('vector(7)')).toBe(7);
    expect(await provider.queryVector('vector(8)')).toEqual([{ labels: {}, value: 8 }]);
    expect(asked).toBe(2);
  });

  it('is refused with a wrong token, naming the status and not the token', async () => {
    const error = await failure(bearer('nope-not-it').runQuery('vector(1)'));
    expect(error.message).toMatch(/HTTP 401/);
    expect(error.message).not.toContain('nope-not-it');
  });
});

describe('PROMETHEUS_AUTH, as analyze and the console read it', () => {
  it('reads the secret from the environment variable it names and authenticates with it', async () => {
    process.env.PROMETHEUS_URL = prometheus.url;
    process.env.PROMETHEUS_AUTH = JSON.stringify({
      type: 'basic',
      username: USER.username,
      secretEnv: 'TEST_PROMETHEUS_PASSWORD',
    });
    process.env.TEST_PROMETHEUS_PASSWORD = USER.password;
    const { metricsProvider } = await import('../../functions/shared/metrics-wiring.ts');
    expect(await metricsProvider('analyze').runQuery('vector(3)')).toBe(3);
    delete process.env.TEST_PROMETHEUS_PASSWORD;
    const error = await failure(metricsProvider('analyze').runQuery('vector(3)'));
    expect(error.message).toContain('PROMETHEUS_AUTH: no secret in $TEST_PROMETHEUS_PASSWORD');
  });
});
