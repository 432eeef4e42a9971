import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { analyzeDue } from '../lib/app/analyze-due.ts';
import { analyzeDeps } from './shared/metrics-wiring.ts';
import { logging } from './shared/middleware.ts';

const deps = analyzeDeps();

/** EventBridge schedule: judges every due rollout once. */
export const handler = middy<ScheduledEvent>()
  .use(logging('analyze'))
  .handler(async () => {
    const results = await analyzeDue(deps);
    for (const result of results) deps.log?.('analyzed', { ...result });
    return { analyzed: results.length, results };
  });
