import middy from '@middy/core';
import { slackTarget, webhookTarget } from '../lib/adapters/notify/webhooks.ts';
import { notify } from '../lib/app/notify.ts';
import type { KanariEvent } from '../lib/domain/events.ts';
import { eventBridgeEventSchema } from '../lib/schemas/events.ts';
import { log } from './shared/log.ts';
import { logging } from './shared/middleware.ts';
import { requiredSecret, secretReader } from './shared/secrets.ts';
import { tracing } from './shared/tracing.ts';
import { config } from './shared/wiring.ts';

const configured = Object.entries(config.KANARI_NOTIFY_TARGETS);
const read = secretReader(
  configured.map(([, target]) => target),
  process.env,
  config.AWS_REGION,
);
const targets = configured.map(([name, target]) => {
  const url = requiredSecret(read, target, `KANARI_NOTIFY_TARGETS.${name}`);
  return target.type === 'slack' ? slackTarget(name, url) : webhookTarget(name, url);
});

/**
 * EventBridge rule on rollout events: tells Slack and webhooks what happened, and why. Its own
 * rule and function, so nothing else waits on it. A target still failing after its retries
 * makes the invocation fail, which Lambda sends to this function's dead-letter queue.
 */
export const handler = middy<unknown>()
  .use(logging('notify'))
  .use(tracing())
  .handler(async (event) => {
    const parsed = eventBridgeEventSchema.safeParse(event);
    if (!parsed.success) {
      log('malformed event dropped', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return { outcome: 'ignored', reason: 'malformed event' };
    }
    const kanariEvent = {
      detailType: parsed.data['detail-type'],
      detail: parsed.data.detail,
    } as KanariEvent;
    const result = await notify(
      { targets, ...(config.KANARI_CONSOLE_URL ? { consoleUrl: config.KANARI_CONSOLE_URL } : {}) },
      kanariEvent,
    );
    log('notified', { rolloutId: kanariEvent.detail.rolloutId, ...result });
    return result;
  });
