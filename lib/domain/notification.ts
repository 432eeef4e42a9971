import type { Cause, DetailType, KanariEvent } from './events.ts';

/** The events a team hears of; decisions still on their way (requests) are not among them. */
export const NOTIFIED: readonly DetailType[] = [
  'Rollout Started',
  'Traffic Shifted',
  'Pause Requested',
  'Rollout Rolled Back',
  'Rollout Succeeded',
  'Rollout Failed',
  'Drift Detected',
];

/** What a notification says, whatever carries it. */
export interface Notification {
  rolloutId: string;
  event: DetailType;
  /** One line: the rollout and what happened, e.g. `prod/shop/cart rolled back`. */
  headline: string;
  /** Why, in words: the alert, the operator and their reason, or the check. */
  why: string;
  phase: string;
  /** The rollout in the console, when its address is known. */
  link?: string;
  severity: 'info' | 'warning' | 'critical';
}

const WHAT: Partial<Record<DetailType, [string, Notification['severity']]>> = {
  'Rollout Started': ['started', 'info'],
  'Traffic Shifted': ['shifted traffic', 'info'],
  'Pause Requested': ['paused', 'warning'],
  'Rollout Rolled Back': ['rolled back', 'critical'],
  'Rollout Succeeded': ['succeeded', 'info'],
  'Rollout Failed': ['failed', 'critical'],
  'Drift Detected': ['drifted: its weights were changed outside kanari', 'warning'],
};

const because = (cause: Cause): string => {
  switch (cause.type) {
    case 'alert':
      return `alert ${cause.name} from ${cause.source}`;
    case 'operator':
      return `${cause.actor}: ${cause.reason}`;
    case 'analysis':
      return 'the canary analysis';
    case 'scheduler':
      return 'the schedule';
  }
};

/**
 * The notification of one event, or undefined for an event a team is not told of. Names the
 * rollout, what happened and why, and links to it in the console (`consoleUrl`, the HTTP API's
 * address, whose page routes `#/rollouts/<cluster>/<namespace>/<name>`).
 */
export const notificationOf = (
  { detailType, detail }: KanariEvent,
  consoleUrl?: string,
): Notification | undefined => {
  const what = WHAT[detailType];
  if (!what || !NOTIFIED.includes(detailType)) return undefined;
  const [happened, severity] = what;
  const weights = detail.weights
    ? ` to primary ${detail.weights.primary}% · canary ${detail.weights.canary}%`
    : '';
  // The metrics that did not pass, each with the judge's own words.
  const judged = detail.check?.metrics.filter((m) => m.verdict !== 'pass') ?? [];
  const checked = detail.check
    ? `check at ${detail.check.weight}%: ${detail.check.verdict}${
        judged.length > 0 ? ` (${judged.map((m) => `${m.name}: ${m.reason}`).join('; ')})` : ''
      }`
    : undefined;
  const drift = detail.drift
    ? `kanari had applied primary ${detail.drift.applied.primary}% · canary ${detail.drift.applied.canary}%, the cluster has primary ${detail.drift.observed.primary}% · canary ${detail.drift.observed.canary}%`
    : undefined;
  return {
    rolloutId: detail.rolloutId,
    event: detailType,
    headline: `${detail.rolloutId} ${happened}${detailType === 'Traffic Shifted' ? weights : ''}`,
    why: drift ?? detail.reason ?? checked ?? because(detail.cause),
    phase: detail.phase,
    ...(consoleUrl
      ? { link: `${consoleUrl.replace(/\/+$/, '')}/#/rollouts/${detail.rolloutId}` }
      : {}),
    severity,
  };
};
