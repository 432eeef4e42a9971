import type { Alert } from '../domain/alert-matching.ts';
import { formatPath } from './issue-path.ts';
import * as z from './mini.ts';

const stringMap = z.record(z.string(), z.string());
const optionalText = z.optional(z.string());
const noMap = () => z._default(stringMap, {});
const truncated = z._default(z.int().check(z.gte(0)), 0);
const alertStatus = z.enum(['firing', 'resolved']);

const alertmanagerAlert = z.looseObject({
  status: alertStatus,
  labels: stringMap,
  annotations: z._default(stringMap, {}),
  startsAt: z.string(),
  endsAt: optionalText,
  generatorURL: optionalText,
  /** Alertmanager's identity of the alert (a hash of its labels); the same across repeats. */
  fingerprint: z.string().check(z.minLength(1)),
});

/** Alertmanager's webhook payload, version 4 (`webhook_configs`). */
export const alertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string(),
  /** Alerts left out because of the receiver's `max_alerts`. */
  truncatedAlerts: truncated,
  status: alertStatus,
  receiver: z.string(),
  groupLabels: noMap(),
  commonLabels: noMap(),
  commonAnnotations: noMap(),
  externalURL: z._default(z.string(), ''),
  alerts: z.array(alertmanagerAlert),
});

/** Grafana alerting's webhook contact point: Alertmanager's shape plus a few fields of its own. */
export const grafanaWebhookSchema = z.looseObject({
  version: optionalText,
  groupKey: optionalText,
  truncatedAlerts: truncated,
  status: alertStatus,
  receiver: optionalText,
  orgId: z.optional(z.int()),
  /** `alerting`, `ok`, ...: the group's state as Grafana words it. */
  state: optionalText,
  title: optionalText,
  message: optionalText,
  groupLabels: noMap(),
  commonLabels: noMap(),
  commonAnnotations: noMap(),
  externalURL: optionalText,
  alerts: z.array(
    z.extend(alertmanagerAlert, {
      dashboardURL: optionalText,
      panelURL: optionalText,
      silenceURL: optionalText,
      valueString: optionalText,
    }),
  ),
});

/** EventBridge's `CloudWatch Alarm State Change` event (source `aws.cloudwatch`). */
export const cloudWatchAlarmEventSchema = z.looseObject({
  id: z.string(),
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  account: z.string(),
  region: z.string(),
  time: z.string(),
  /** `resources[0]` is the alarm's ARN. */
  resources: z.array(z.string()).check(z.minLength(1)),
  detail: z.looseObject({
    alarmName: z.string().check(z.minLength(1)),
    state: z.looseObject({ value: z.string(), reason: optionalText }),
    previousState: z.optional(z.looseObject({ value: z.string() })),
  }),
});

export type CloudWatchAlarmEvent = z.infer<typeof cloudWatchAlarmEventSchema>;

/** What is wrong with a payload: where (e.g. `alerts[0].fingerprint`) and what. */
export interface PayloadProblem {
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: PayloadProblem };

/** Parses with a schema; the first problem names its path. */
export const parseWith = <T>(schema: z.core.$ZodType<T>, input: unknown): Parsed<T> => {
  const result = z.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    problem: { path: formatPath(issue?.path ?? []), message: issue?.message ?? 'invalid' },
  };
};

type AlertmanagerLike = Pick<z.infer<typeof alertmanagerWebhookSchema>, 'alerts'>;

/** Alertmanager and Grafana alerts, normalized. The name is the `alertname` label. */
export const normalizeAlertmanager = (source: string, payload: AlertmanagerLike): Alert[] =>
  payload.alerts.map((alert) => ({
    source,
    id: alert.fingerprint,
    name: alert.labels.alertname ?? alert.fingerprint,
    status: alert.status,
    labels: alert.labels,
    startsAt: alert.startsAt,
  }));

/**
 * A CloudWatch alarm as an alert. Only ALARM is firing; OK and INSUFFICIENT_DATA are not.
 * The labels are what the event says about the alarm; its tags are looked up later, if needed.
 */
export const normalizeCloudWatchAlarm = (event: CloudWatchAlarmEvent): Alert => {
  const arn = event.resources[0] as string;
  return {
    source: 'cloudwatch',
    id: arn,
    name: event.detail.alarmName,
    status: event.detail.state.value === 'ALARM' ? 'firing' : 'resolved',
    labels: {
      alertname: event.detail.alarmName,
      account: event.account,
      region: event.region,
      state: event.detail.state.value,
    },
    startsAt: event.time,
    alarm: { arn },
  };
};
