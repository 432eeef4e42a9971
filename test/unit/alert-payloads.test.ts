import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertSourcesSchema } from '../../lib/schemas/alert-sources.ts';
import {
  alertmanagerWebhookSchema,
  cloudWatchAlarmEventSchema,
  grafanaWebhookSchema,
  normalizeAlertmanager,
  normalizeCloudWatchAlarm,
  parseWith,
} from '../../lib/schemas/alerts.ts';
import { loadConfig } from '../../lib/schemas/config.ts';
import { genericMappingSchema, normalizeGeneric } from '../../lib/schemas/generic-alerts.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { seedSpec } from '../support/fixtures.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8'));

describe('Alertmanager webhook v4', () => {
  it('normalizes each alert with its fingerprint, alertname and labels', () => {
    const parsed = parseWith(alertmanagerWebhookSchema, fixture('alertmanager-v4.json'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(normalizeAlertmanager('am', parsed.value)).toEqual([
      {
        source: 'am',
        id: '5f1e6c3d9a7b2c40',
        name: 'CanaryHighErrorRate',
        status: 'firing',
        labels: {
          alertname: 'CanaryHighErrorRate',
          namespace: 'default',
          service: 'my-service',
          severity: 'critical',
        },
        startsAt: '2030-01-01T12:00:00.000Z',
      },
    ]);
  });

  it('names the path of what does not fit', () => {
    const payload = fixture('alertmanager-v4.json');
    const alerts = payload.alerts as Record<string, unknown>[];
    const broken = { ...payload, alerts: [{ ...alerts[0], fingerprint: undefined }] };
    expect(parseWith(alertmanagerWebhookSchema, broken)).toMatchObject({
      ok: false,
      problem: { path: 'alerts[0].fingerprint' },
    });
    expect(parseWith(alertmanagerWebhookSchema, { ...payload, version: '3' })).toMatchObject({
      ok: false,
      problem: { path: 'version' },
    });
  });
});

describe('Grafana alerting webhook', () => {
  it('normalizes like Alertmanager and keeps Grafana fields out of the way', () => {
    const parsed = parseWith(grafanaWebhookSchema, fixture('grafana-alerting.json'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.state).toBe('alerting');
    const [alert] = normalizeAlertmanager('grafana', parsed.value);
    expect(alert).toMatchObject({
      id: '57c6d9296de2ad39',
      name: 'CanaryHighErrorRate',
      status: 'firing',
    });
  });
});

describe('CloudWatch Alarm State Change', () => {
  it('is firing in ALARM, with the alarm ARN as its identity', () => {
    const parsed = parseWith(
      cloudWatchAlarmEventSchema,
      fixture('cloudwatch-alarm-state-change.json'),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-service-canary-5xx';
    expect(normalizeCloudWatchAlarm(parsed.value)).toEqual({
      source: 'cloudwatch',
      id: arn,
      name: 'my-service-canary-5xx',
      status: 'firing',
      labels: {
        alertname: 'my-service-canary-5xx',
        account: '123456789012',
        region: 'us-east-1',
        state: 'ALARM',
      },
      startsAt: '2030-01-01T12:00:00Z',
      alarm: { arn },
    });
  });

  it('is not firing in OK or INSUFFICIENT_DATA', () => {
    for (const value of ['OK', 'INSUFFICIENT_DATA']) {
      const event = fixture('cloudwatch-alarm-state-change.json');
      const detail = event.detail as Record<string, unknown>;
      const parsed = parseWith(cloudWatchAlarmEventSchema, {
        ...event,
        detail: { ...detail, state: { value } },
      });
      if (!parsed.ok) throw new Error(parsed.problem.message);
      expect(normalizeCloudWatchAlarm(parsed.value).status).toBe('resolved');
    }
  });
});

describe('generic webhook mapping', () => {
  const pagerDuty = genericMappingSchema.parse({
    id: 'event.data.id',
    name: 'event.data.title',
    status: 'event.event_type',
    labels: { service: 'event.data.service.summary', priority: 'event.data.priority.summary' },
    firing: ['incident.triggered'],
    resolved: ['incident.resolved'],
  });
  const incident = (eventType: string) => ({
    event: {
      event_type: eventType,
      data: {
        id: 'Q1P2R3',
        title: 'my-service canary errors',
        service: { summary: 'my-service' },
        priority: null,
      },
    },
  });

  it('reads identity, name, status and labels where the mapping says', () => {
    expect(normalizeGeneric('pagerduty', pagerDuty, incident('incident.triggered'))).toEqual({
      ok: true,
      value: [
        {
          source: 'pagerduty',
          id: 'Q1P2R3',
          name: 'my-service canary errors',
          status: 'firing',
          labels: { service: 'my-service' },
        },
      ],
    });
    const resolved = normalizeGeneric('pagerduty', pagerDuty, incident('incident.resolved'));
    expect(resolved.ok && resolved.value[0]?.status).toBe('resolved');
  });

  it('refuses a status it was not told about, naming the path', () => {
    expect(normalizeGeneric('pagerduty', pagerDuty, incident('incident.acknowledged'))).toEqual({
      ok: false,
      problem: {
        path: 'event.event_type',
        message:
          '"incident.acknowledged" is neither firing (incident.triggered) nor resolved (incident.resolved)',
      },
    });
  });

  it('reads an array of alerts with a labels object, and names the bad element', () => {
    const mapping = genericMappingSchema.parse({
      alerts: 'alerts',
      id: 'key',
      name: 'title',
      status: 'state',
      labels: 'tags',
    });
    const body = {
      alerts: [
        { key: 7, title: 'A', state: 'firing', tags: { env: 'prod', canary: true } },
        { key: 8, title: 'B', state: 'resolved' },
      ],
    };
    const parsed = normalizeGeneric('custom', mapping, body);
    expect(parsed).toMatchObject({
      ok: true,
      value: [
        { id: '7', status: 'firing', labels: { env: 'prod', canary: 'true' } },
        { id: '8', status: 'resolved', labels: {} },
      ],
    });
    expect(
      normalizeGeneric('custom', mapping, { alerts: [{ title: 'A', state: 'firing' }] }),
    ).toMatchObject({ ok: false, problem: { path: 'alerts.0.key' } });
    expect(normalizeGeneric('custom', mapping, { alerts: 'nope' })).toMatchObject({
      ok: false,
      problem: { path: 'alerts', message: 'expected an array of alerts' },
    });
  });

  it('finds nothing through inherited properties', () => {
    const mapping = genericMappingSchema.parse({ id: 'constructor', name: 'n', status: 's' });
    expect(normalizeGeneric('x', mapping, { n: 'A', s: 'firing' })).toMatchObject({
      ok: false,
      problem: { path: 'constructor' },
    });
  });
});

describe('alert source configuration', () => {
  it('reads KANARI_ALERT_SOURCES as JSON and lowercases header names', () => {
    const config = loadConfig({
      KANARI_ALERT_SOURCES: JSON.stringify({
        grafana: {
          type: 'grafana',
          auth: 'hmac',
          ssmParameter: '/kanari/grafana',
          timestampHeader: 'X-Grafana-Alerting-Signature-Timestamp',
        },
      }),
    });
    expect(config.KANARI_ALERT_SOURCES.grafana?.timestampHeader).toBe(
      'x-grafana-alerting-signature-timestamp',
    );
    expect(loadConfig({}).KANARI_ALERT_SOURCES).toEqual({});
  });

  it('names every bad field', () => {
    expect(() => loadConfig({ KANARI_ALERT_SOURCES: '{nope' })).toThrow(
      /KANARI_ALERT_SOURCES: not JSON/,
    );
    const problems = alertSourcesSchema.safeParse({
      cloudwatch: { type: 'alertmanager', auth: 'bearer', secretEnv: 'T' },
      custom: { type: 'generic', auth: 'bearer', secretEnv: 'T', ssmParameter: '/p' },
      am: { type: 'alertmanager', auth: 'bearer', secretEnv: 'T', timestampHeader: 'x-ts' },
    });
    expect(problems.success).toBe(false);
    const paths = problems.error?.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'cloudwatch: reserved for CloudWatch alarms',
        'custom: needs exactly one of secretEnv and ssmParameter',
        'custom.mapping: required for type generic',
        'am.timestampHeader: only for auth hmac',
      ]),
    );
  });
});

describe('rollout spec alerts', () => {
  const spec = (alerts: unknown) => ({ ...seedSpec(), alerts });

  it('fills the defaults: rollback, no bake window', () => {
    const parsed = parseRolloutSpec(spec({ matchers: [{ labels: { alertname: 'A' } }] }));
    expect(parsed).toMatchObject({
      ok: true,
      spec: {
        alerts: {
          bakeWindow: '0s',
          matchers: [{ labels: { alertname: 'A' }, action: 'rollback' }],
        },
      },
    });
  });

  it('refuses a bad regex, an empty matcher and an unknown action, with their paths', () => {
    const parsed = parseRolloutSpec(
      spec({
        bakeWindow: 'soon',
        matchers: [
          { labelsRegex: { alertname: 'High(Errors' } },
          {},
          { labels: {} },
          { labels: { a: 'b' }, action: 'page' },
        ],
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.problems.map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'alerts.bakeWindow',
        'alerts.matchers[0].labelsRegex.alertname',
        'alerts.matchers[1]',
        'alerts.matchers[2].labels',
        'alerts.matchers[3].action',
      ]),
    );
    expect(parsed.problems.find((p) => p.path.endsWith('labelsRegex.alertname'))?.message).toMatch(
      /^not a valid regex/,
    );
  });

  it('refuses what RE2 does not take (lookarounds, backreferences), naming the field', () => {
    for (const pattern of ['(?=High)Errors', '(a)\\1']) {
      const parsed = parseRolloutSpec(
        spec({ matchers: [{ labelsRegex: { alertname: pattern } }] }),
      );
      expect(parsed.ok, pattern).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.problems[0]?.path).toBe('alerts.matchers[0].labelsRegex.alertname');
      expect(parsed.problems[0]?.message).toMatch(/^not a valid regex: /);
    }
  });
});
