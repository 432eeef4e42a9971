import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Route } from '../../functions/shared/auth.ts';
import type { HttpEvent, HttpResult } from '../../functions/shared/http.ts';

// One authentication layer: every route of functions/console.ts is authenticated unless the
// route table marks it public, and serverless.yml declares exactly those routes.

type Invoke = (event: HttpEvent) => Promise<HttpResult>;
let ROUTES: readonly Route[];
let invoke: Invoke;
let actorOf: typeof import('../../functions/shared/auth.ts').actorOf;

beforeAll(async () => {
  const console = await import('../../functions/console.ts');
  ROUTES = console.ROUTES;
  invoke = (event) => console.handler(event, {} as never) as Promise<HttpResult>;
  ({ actorOf } = await import('../../functions/shared/auth.ts'));
});

const PLATFORM = ['AWS_LAMBDA_FUNCTION_NAME', 'IS_OFFLINE', 'KANARI_AUTHORIZER'] as const;
afterEach(() => {
  for (const name of PLATFORM) delete process.env[name];
});

const declared = () => {
  const yml = parse(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8'));
  return (yml.functions.console.events as { httpApi: Record<string, string> }[]).map(
    ({ httpApi }) => ({ method: httpApi.method, path: httpApi.path, public: !httpApi.authorizer }),
  );
};

const event = (
  method: string,
  path: string,
  extra: { headers?: Record<string, string>; authorizer?: unknown } = {},
): HttpEvent =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...extra.headers },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      ...(extra.authorizer ? { authorizer: extra.authorizer } : {}),
    },
    body: JSON.stringify({ reason: 'r' }),
    isBase64Encoded: false,
  }) as unknown as HttpEvent;

const concrete = (path: string) =>
  path
    .replace('{cluster}', 'sandbox')
    .replace('{namespace}', 'default')
    .replace('{name}', 'my-service')
    .replace('{action}', 'rollback');

/** An unsigned JWT (`alg: none`) for `mallory`, as an attacker would craft it. */
const unsignedJwt = [{ alg: 'none', typ: 'JWT' }, { sub: 'mallory' }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('')
  .join('.');
const forged = {
  headers: {
    authorization: `Bearer ${unsignedJwt}`,
    'sls-offline-authorizer-override': JSON.stringify({ jwt: { claims: { sub: 'mallory' } } }),
  },
  authorizer: {
    jwt: { claims: { sub: 'mallory' } },
    iam: { userArn: 'arn:aws:iam::1:user/mallory' },
  },
};

describe('the route table', () => {
  it('is what serverless.yml declares, public exactly where API Gateway has no authorizer', () => {
    const ours = ROUTES.map((r) => ({ method: r.method, path: r.path, public: r.public === true }));
    expect(ours).toEqual(declared());
    expect(ours.filter((r) => r.public).map((r) => r.path)).toEqual(['/', '/app.js', '/app.css']);
  });
});

describe('every route that is not public', () => {
  const closed = () => ROUTES.filter((r) => !r.public);

  it('answers 401 without credentials', async () => {
    for (const route of closed()) {
      const result = await invoke(event(route.method, concrete(route.path)));
      expect([route.path, result.statusCode]).toEqual([route.path, 401]);
      expect(JSON.parse(result.body ?? '{}').error).toMatch(/missing credentials/);
    }
  });

  it('answers 401 to claims nothing verified: an unsigned JWT, the offline override header', async () => {
    for (const route of closed()) {
      const result = await invoke(event(route.method, concrete(route.path), forged));
      expect([route.path, result.statusCode]).toEqual([route.path, 401]);
    }
  });

  it('answers 401 to the same claims under serverless-offline, whatever the authorizer', async () => {
    Object.assign(process.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'kanari-dev-console',
      IS_OFFLINE: 'true',
      KANARI_AUTHORIZER: 'jwt',
    });
    for (const route of closed()) {
      const result = await invoke(event(route.method, concrete(route.path), forged));
      expect([route.path, result.statusCode]).toEqual([route.path, 401]);
    }
  });
});

describe('actorOf', () => {
  const inLambda = (authorizer: string) => ({
    AWS_LAMBDA_FUNCTION_NAME: 'kanari-prod-console',
    KANARI_AUTHORIZER: authorizer,
  });
  const tokens = { alice: 'alice-token' };

  it('trusts the identity API Gateway vouched for, of the declared authorizer only', () => {
    const e = event('GET', '/rollouts', { authorizer: forged.authorizer });
    expect(actorOf(e, undefined, inLambda('aws_iam'))).toBe('arn:aws:iam::1:user/mallory');
    expect(actorOf(e, undefined, inLambda('jwt'))).toBe('mallory');
    const iamOnly = event('GET', '/rollouts', { authorizer: { jwt: { claims: { sub: 'eve' } } } });
    expect(() => actorOf(iamOnly, undefined, inLambda('aws_iam'))).toThrow(/missing credentials/);
    expect(() => actorOf(e, undefined, { KANARI_AUTHORIZER: 'jwt' })).toThrow(
      /missing credentials/,
    );
  });

  it('names the bearer token presented, with the scheme in any case (RFC 7235)', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const e = event('GET', '/rollouts', { headers: { authorization: `${scheme} alice-token` } });
      expect(actorOf(e, tokens, {})).toBe('alice');
    }
    const wrong = event('GET', '/rollouts', { headers: { authorization: 'Bearer alice-tokem' } });
    expect(() => actorOf(wrong, tokens, {})).toThrow(/invalid credentials/);
  });
});

describe('an operator action body', () => {
  it('cannot name the actor: the ledger records the authenticated one', async () => {
    const { parseActionBody } = await import('../../lib/schemas/console-api.ts');
    const parsed = parseActionBody({ reason: 'r', actor: 'mallory' }, 'rollback');
    expect(parsed).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringMatching(/unknown field actor/) }],
    });
  });
});
