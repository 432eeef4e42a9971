import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { log, logError, logger, metrics } from './log.ts';

/** The invocation's metrics, when it has any (Powertools warns of an empty flush). */
const flush = () => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};

/** The decision an EventBridge event carries, whose id is the invocation's correlation id. */
const decisionIdOf = (event: unknown): string | undefined => {
  const id = (event as { detail?: { decisionId?: unknown } } | undefined)?.detail?.decisionId;
  return typeof id === 'string' ? id : undefined;
};

/**
 * Each invocation's logging and metrics: the Lambda context and `fn` on every record, the
 * decision's id as `correlation_id` when the event carries one, the invocation's end and
 * duration (errors with their name), and its metrics flushed at the end.
 */
export const logging = (fn: string): MiddlewareObj[] => {
  let started = 0;
  return [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj,
    {
      before: (request) => {
        started = performance.now();
        logger.appendKeys({ fn });
        const decisionId = decisionIdOf(request.event);
        if (decisionId) logger.setCorrelationId(decisionId);
      },
      after: () => {
        log('invocation done', { ms: Math.round(performance.now() - started) });
        flush();
      },
      onError: (request) => {
        const error = request.error as (Error & { status?: number }) | undefined;
        // A refused request (a 4xx, as httpErrors, which runs first, answered it) is the
        // caller's; anything else is kanari's to look at.
        const status =
          (request.response as { statusCode?: number } | undefined)?.statusCode ?? error?.status;
        const refused = typeof status === 'number' && status < 500;
        (refused ? log : logError)('invocation failed', {
          error: error?.name,
          detail: error?.message,
        });
        flush();
      },
    },
  ];
};
