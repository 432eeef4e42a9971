import type { Notification } from '../../domain/notification.ts';
import { NotifyDeliveryError, type NotifyTarget } from '../../ports/notify-target.ts';
import { type RetryPolicy, withRetries } from '../retry.ts';

/** Roughly 1, 2, 4, 8, 16 and 30 s between tries: a receiver's hiccup, not an outage. */
export const NOTIFY_RETRY: RetryPolicy = { retries: 6, minDelayMs: 1_000, maxDelayMs: 30_000 };

const TIMEOUT_MS = 5_000;
const EMOJI = { info: ':large_blue_circle:', warning: ':warning:', critical: ':rotating_light:' };

/** A Slack incoming webhook's message: the headline, why, and a button to the console. */
export const slackMessage = (n: Notification) => ({
  text: `${EMOJI[n.severity]} ${n.headline}: ${n.why}`,
  blocks: [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `${EMOJI[n.severity]} *${n.headline}*\n${n.why}` },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${n.event} · phase ${n.phase}` }],
    },
    ...(n.link
      ? [
          {
            type: 'actions',
            elements: [
              { type: 'button', text: { type: 'plain_text', text: 'Open in kanari' }, url: n.link },
            ],
          },
        ]
      : []),
  ],
});

/** A generic webhook's body: the notification as JSON, under a version. */
export const webhookBody = (n: Notification) => ({ version: '1', ...n });

/**
 * A target that POSTs JSON to a URL read from its secret (a Slack webhook URL is a secret in
 * itself). A 5xx, a 429 or no answer is tried again with backoff (`retry`); another 4xx is
 * not. Errors name the target and the status, never the URL.
 */
const jsonTarget =
  (format: (n: Notification) => object) =>
  (name: string, url: () => Promise<string>, retry: RetryPolicy = NOTIFY_RETRY): NotifyTarget => {
    const attempt = async (notification: Notification) => {
      let response: Response;
      try {
        response = await fetch(await url(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(format(notification)),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        const why =
          (error as Error).name === 'TimeoutError'
            ? `no answer in ${TIMEOUT_MS} ms`
            : 'the connection failed';
        throw new NotifyDeliveryError(`${name}: ${why}`, true, { cause: error });
      }
      await response.body?.cancel();
      if (response.ok) return;
      const status = response.status;
      throw new NotifyDeliveryError(`${name}: HTTP ${status}`, status === 429 || status >= 500);
    };
    return {
      name,
      send: (notification) =>
        withRetries(
          () => attempt(notification),
          (error) => error instanceof NotifyDeliveryError && error.transient,
          retry,
        ),
    };
  };

export const slackTarget = jsonTarget(slackMessage);
export const webhookTarget = jsonTarget(webhookBody);
