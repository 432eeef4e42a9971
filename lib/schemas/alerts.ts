import * as z from 'zod';
import type { Alert } from '../domain/alert-matching.ts';
import { formatPath } from './rollout-spec.ts';

const stringMap = z.record(z.string(), z.string());
const alertStatus = z.enum(['firing', 'resolved']);

const alertmanagerAlert = z.looseObject({
  status: alertStatus,
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  /** Alertmanager's identity of the alert (a hash of its labels); the same across repeats. */
  fingerprint: z.string().min(1),
});

/** Alertmanager's webhook payload, version 4 (`webhook_configs`). */
export const alertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string(),
  /** Alerts left out because of the receiver's `max_alerts`. */
  truncatedAlerts: z.number().int().min(0).default(0),
  status: alertStatus,
  receiver: z.string(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertmanagerAlert),
});

/** Grafana alerting's webhook contact point: Alertmanager's shape plus a few fields of its own. */
export const grafanaWebhookSchema = z.looseObject({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: alertStatus,
  receiver: z.string().optional(),
  orgId: z.number().int().optional(),
  /** `alerting`, `ok`, ...: the group's state as Grafana words it. */
  state: z.string().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(
    alertmanagerAlert.extend({
      dashboardURL: z.string().optional(),
      panelURL: z.string().optional(),
      silenceURL: z.string().optional(),
      valueString: z.string().optional(),
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
  resources: z.array(z.string()).min(1),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: z.looseObject({ value: z.string(), reason: z.string().optional() }),
    previousState: z.looseObject({ value: z.string() }).optional(),
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
export const parseWith = <T>(schema: z.ZodType<T>, input: unknown): Parsed<T> => {
  const result = schema.safeParse(input);
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
