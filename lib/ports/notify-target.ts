import type { Notification } from '../domain/notification.ts';

/** Somewhere a team hears of its rollouts: a Slack channel, a webhook. */
export interface NotifyTarget {
  /** The name it is configured under (KANARI_NOTIFY_TARGETS), for logs and errors. */
  name: string;
  /** Delivers one notification; throws NotifyDeliveryError when the receiver refuses it. */
  send(notification: Notification): Promise<void>;
}

/** A receiver's refusal or silence. `transient`: worth another try (5xx, 429, no answer). */
export class NotifyDeliveryError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NotifyDeliveryError';
  }
}
