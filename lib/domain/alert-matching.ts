import { RE2JS } from 're2js';
import type { Cause } from './events.ts';
import type { AlertAction, AlertMatcher, RolloutSpec } from './rollout-spec.ts';

export type AlertStatus = 'firing' | 'resolved';

/** An alert from any source (Alertmanager, Grafana, a generic webhook, CloudWatch), normalized. */
export interface Alert {
  /** The configured source that delivered it, e.g. `alertmanager`, or `cloudwatch`. */
  source: string;
  /** Identity: the Alertmanager or Grafana fingerprint, or the CloudWatch alarm ARN. */
  id: string;
  name: string;
  status: AlertStatus;
  labels: Record<string, string>;
  startsAt?: string;
  /**
   * Set for CloudWatch alarms only. Their tags are not in the state-change event, so they are
   * looked up (and filled in here) only when a rollout's matchers ask for tags.
   */
  alarm?: { arn: string; tags?: Record<string, string> };
}

export interface AlertMatch {
  action: AlertAction;
  /** Index of the matcher that decided, in the spec's `alerts.matchers`. */
  matcher: number;
}

/** A compiled label regex: `test` is true when the whole value matches. */
export interface LabelRegex {
  test(value: string): boolean;
}

/**
 * A label regex as Alertmanager applies it: RE2 syntax (Alertmanager is Go, whose regexp is
 * RE2), anchored at both ends. RE2 matches in time linear in the input, so a pattern like
 * `(a+)+` cannot backtrack for seconds on a hostile label. Throws on a pattern RE2 refuses,
 * lookarounds and backreferences included.
 */
export const labelRegex = (pattern: string): LabelRegex => {
  const compiled = RE2JS.compile(pattern);
  // `matches` is a whole-input match: the anchors Alertmanager adds.
  return { test: (value) => compiled.matches(value) };
};

// An absent label compares as the empty string, as in Alertmanager. Own labels only: a label
// named `constructor` is absent unless the alert has it.
const label = (alert: Alert, name: string): string =>
  Object.hasOwn(alert.labels, name) ? (alert.labels[name] ?? '') : '';

const matches = (matcher: AlertMatcher, alert: Alert): boolean => {
  const checks: boolean[] = [];
  if (matcher.labels) {
    checks.push(
      Object.entries(matcher.labels).every(([name, value]) => label(alert, name) === value),
    );
  }
  if (matcher.labelsRegex) {
    checks.push(
      Object.entries(matcher.labelsRegex).every(([name, pattern]) =>
        labelRegex(pattern).test(label(alert, name)),
      ),
    );
  }
  if (matcher.alarmNames) {
    checks.push(alert.alarm !== undefined && matcher.alarmNames.includes(alert.name));
  }
  if (matcher.alarmTags) {
    const tags = alert.alarm?.tags;
    checks.push(
      tags !== undefined &&
        Object.entries(matcher.alarmTags).every(([key, value]) => tags[key] === value),
    );
  }
  // A matcher without conditions would match everything; the schema refuses it, and so does this.
  return checks.length > 0 && checks.every(Boolean);
};

/**
 * Which action a firing alert asks of a rollout, or undefined when none of its matchers match.
 * Resolved alerts never match. When several matchers match, rollback wins over pause.
 */
export const matchAlert = (spec: RolloutSpec, alert: Alert): AlertMatch | undefined => {
  if (alert.status !== 'firing') return undefined;
  let found: AlertMatch | undefined;
  (spec.alerts?.matchers ?? []).forEach((matcher, index) => {
    if (found?.action === 'rollback' || !matches(matcher, alert)) return;
    found = { action: matcher.action, matcher: index };
  });
  return found;
};

/** True when matching this spec against a CloudWatch alarm needs the alarm's tags. */
export const needsAlarmTags = (spec: RolloutSpec): boolean =>
  (spec.alerts?.matchers ?? []).some((matcher) => matcher.alarmTags !== undefined);

/** What of an alert a decision keeps as its cause: bounded, so a rollback never fails to store. */
export const CAUSE_LIMITS = { labels: 32, key: 128, value: 256, text: 512 } as const;

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/**
 * The alert as the cause of a decision, held in the state, the ledger and the event. Labels are
 * kept in name order up to CAUSE_LIMITS, each clipped, so that an alert with a 450 KB label (or
 * a thousand labels) still rolls back: DynamoDB's 400 KB item and EventBridge's 256 KB entry
 * are never reached by what an alert sends.
 */
export const alertCause = (alert: Alert): Cause => ({
  type: 'alert',
  source: clip(alert.source, CAUSE_LIMITS.text),
  id: clip(alert.id, CAUSE_LIMITS.text),
  name: clip(alert.name, CAUSE_LIMITS.text),
  labels: Object.fromEntries(
    Object.keys(alert.labels)
      .sort()
      .slice(0, CAUSE_LIMITS.labels)
      .map((key) => [
        clip(key, CAUSE_LIMITS.key),
        clip(alert.labels[key] ?? '', CAUSE_LIMITS.value),
      ]),
  ),
});
