import type { Config } from '../../lib/schemas/config.ts';
import { bearerToken, sameSecret } from './credentials.ts';
import { HttpError, type HttpEvent, type HttpResult } from './http.ts';

// The one authentication layer of the HTTP API: every route is authenticated unless the route
// table says it is public, so a new route is closed by default.

type Env = Record<string, string | undefined>;

/**
 * True only in a real Lambda behind API Gateway: serverless-offline sets IS_OFFLINE, and
 * in-process tests set no AWS_LAMBDA_FUNCTION_NAME. Only there did an authorizer run.
 */
const behindApiGateway = (env: Env): boolean =>
  env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.IS_OFFLINE !== 'true';

/**
 * The identity API Gateway's authorizer vouched for, of the kind the deployment declares
 * (KANARI_AUTHORIZER): the IAM principal's ARN, or a verified JWT's `sub`. Anywhere else the
 * request context is whatever the caller sent (serverless-offline copies it from the
 * `sls-offline-authorizer-override` header and decodes JWTs without checking signatures), so
 * it is never read.
 */
const vouchedFor = (event: HttpEvent, env: Env): string | undefined => {
  if (!behindApiGateway(env)) return undefined;
  const authorizer = event.requestContext.authorizer;
  if (env.KANARI_AUTHORIZER === 'aws_iam') return authorizer?.iam?.userArn || undefined;
  if (env.KANARI_AUTHORIZER === 'jwt') {
    const subject = authorizer?.jwt?.claims?.sub;
    return typeof subject === 'string' && subject !== '' ? subject : undefined;
  }
  return undefined;
};

/**
 * Who is calling: the identity the platform vouched for, or the name of the bearer token
 * presented (KANARI_API_TOKENS). Otherwise a 401. Never anything the request merely claims.
 */
export const actorOf = (
  event: HttpEvent,
  tokens: Config['KANARI_API_TOKENS'],
  env: Env = process.env,
): string => {
  const vouched = vouchedFor(event, env);
  if (vouched) return vouched;
  const header = event.headers?.authorization ?? event.headers?.Authorization ?? '';
  const presented = bearerToken(header);
  if (tokens && presented) {
    const match = Object.entries(tokens).find(([, token]) => sameSecret(presented, token));
    if (match) return match[0];
  }
  throw new HttpError(
    401,
    presented ? 'invalid credentials' : 'missing credentials: send Authorization: Bearer <token>',
  );
};

type Method = 'GET' | 'POST';

/** A route of the HTTP API. `public` routes serve no data (the console page and its assets). */
export type Route =
  | {
      method: Method;
      path: string;
      public: true;
      handler: (event: HttpEvent) => Promise<HttpResult>;
    }
  | {
      method: Method;
      path: string;
      public?: false;
      /** Called with the authenticated actor only. */
      handler: (event: HttpEvent, actor: string) => Promise<HttpResult>;
    };

/** The routes for @middy/http-router, each one not public behind `actorOf`. */
export const authenticated = (routes: readonly Route[], tokens: Config['KANARI_API_TOKENS']) =>
  routes.map((route) => ({
    method: route.method,
    path: route.path,
    handler: route.public
      ? route.handler
      : (event: HttpEvent) => route.handler(event, actorOf(event, tokens)),
  }));
