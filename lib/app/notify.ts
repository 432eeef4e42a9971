import type { KanariEvent } from '../domain/events.ts';
import { notificationOf } from '../domain/notification.ts';
import type { NotifyTarget } from '../ports/notify-target.ts';

export interface NotifyDeps {
  targets: NotifyTarget[];
  /** The console's address, for links; none when unset. */
  consoleUrl?: string;
}

export type NotifyOutcome =
  | { outcome: 'ignored'; event: string }
  | { outcome: 'delivered'; event: string; targets: string[] };

/** Some targets refused a notification after every try; the others have it. */
export class NotifyFailedError extends Error {
  constructor(
    message: string,
    readonly delivered: string[],
  ) {
    super(message);
    this.name = 'NotifyFailedError';
  }
}

/**
 * Tells every target of one event, each on its own (a target tries again itself, with backoff,
 * while its receiver fails for now: lib/adapters/notify/webhooks.ts). If any target is left
 * without it, throws, naming them, so the event lands in the notify function's dead-letter
 * queue. Nothing waits on this: notifications have their own rule and function, and a
 * rollback never does.
 */
export const notify = async (deps: NotifyDeps, event: KanariEvent): Promise<NotifyOutcome> => {
  const notification = notificationOf(event, deps.consoleUrl);
  if (!notification) return { outcome: 'ignored', event: event.detailType };
  const results = await Promise.allSettled(deps.targets.map((target) => target.send(notification)));
  const delivered = deps.targets
    .filter((_, i) => results[i]?.status === 'fulfilled')
    .map((t) => t.name);
  const failed = results.flatMap((result) =>
    result.status === 'rejected' ? [(result.reason as Error).message] : [],
  );
  if (failed.length > 0)
    throw new NotifyFailedError(
      `${notification.headline}: not delivered to ${failed.join('; ')}`,
      delivered,
    );
  return { outcome: 'delivered', event: event.detailType, targets: delivered };
};
