import { syncBuiltinESMExports } from 'node:module';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * X-Ray, with the function's active tracing: a subsegment for every outgoing call, over
 * node:http(s) (Kubernetes, DynamoDB, EventBridge, SSM) or fetch (Prometheus, webhooks), which
 * Powertools' Tracer patches when it starts in Lambda. Off elsewhere (no AWS_EXECUTION_ENV) and
 * under the sandbox (POWERTOOLS_TRACE_ENABLED=false). Every function runs it; it brings
 * aws-xray-sdk-core, about 42 KB of each zip (docs/scale.md).
 */
export const tracer = new Tracer({ serviceName: 'kanari' });
// The Tracer patches node:http(s)'s CommonJS exports; ESM imports of them (lib/adapters/http.ts)
// see the patched functions once the builtins' ESM exports are synced with them.
syncBuiltinESMExports();

/** The invocation as a segment; responses may hold specs, so only timings and errors are kept. */
export const tracing = (): MiddlewareObj =>
  captureLambdaHandler(tracer, { captureResponse: false }) as MiddlewareObj;
