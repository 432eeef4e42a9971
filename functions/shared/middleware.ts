import type { MiddlewareObj } from '@middy/core';
import { log } from './log.ts';

/** Logs each invocation's end and duration, and errors with their name. Defaults at the top. */
export const logging = (fn: string): MiddlewareObj => {
  let started = 0;
  return {
    before: () => {
      started = performance.now();
    },
    after: () => {
      log('invocation done', { fn, ms: Math.round(performance.now() - started) });
    },
    onError: (request) => {
      const error = request.error as Error | undefined;
      log('invocation failed', { fn, error: error?.name, detail: error?.message });
    },
  };
};
