import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  type Alert,
  alertCause,
  CAUSE_LIMITS,
  matchAlert,
  needsAlarmTags,
} from '../../lib/domain/alert-matching.ts';
import type { AlertMatcher, RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { seedSpec } from '../support/fixtures.ts';

const withMatchers = (...matchers: AlertMatcher[]): RolloutSpec => ({
  ...seedSpec(),
  alerts: { bakeWindow: '0s', matchers },
});

const alert = (labels: Record<string, string>, overrides: Partial<Alert> = {}): Alert => ({
  source: 'alertmanager',
  id: 'fp-1',
  name: labels.alertname ?? 'fp-1',
  status: 'firing',
  labels,
  ...overrides,
});

const alarm = (name: string, tags?: Record<string, string>): Alert => ({
  source: 'cloudwatch',
  id: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
  name,
  status: 'firing',
  labels: { alertname: name },
  alarm: {
    arn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
    ...(tags ? { tags } : {}),
  },
});

describe('alert matching', () => {
  it('matches on label equality, every label given', () => {
    const spec = withMatchers({
      labels: { alertname: 'HighErrors', service: 'my-service' },
      action: 'rollback',
    });
    expect(
      matchAlert(spec, alert({ alertname: 'HighErrors', service: 'my-service', x: 'y' })),
    ).toEqual({
      action: 'rollback',
      matcher: 0,
    });
    expect(matchAlert(spec, alert({ alertname: 'HighErrors', service: 'other' }))).toBeUndefined();
    expect(matchAlert(spec, alert({ alertname: 'HighErrors' }))).toBeUndefined();
  });

  it('anchors label regexes at both ends, like Alertmanager', () => {
    const spec = withMatchers({ labelsRegex: { alertname: 'HighErrors.*' }, action: 'rollback' });
    expect(matchAlert(spec, alert({ alertname: 'HighErrorsCanary' }))).toBeDefined();
    expect(matchAlert(spec, alert({ alertname: 'NotHighErrors' }))).toBeUndefined();
    const severity = withMatchers({
      labelsRegex: { severity: 'critical|page' },
      action: 'rollback',
    });
    expect(matchAlert(severity, alert({ severity: 'page' }))).toBeDefined();
    expect(matchAlert(severity, alert({ severity: 'pager' }))).toBeUndefined();
  });

  it('matches label regexes in linear time (RE2): (a+)+ on a long hostile label answers', () => {
    // A backtracking engine takes time doubling with each 'a' here: 5000 of them would never
    // end, so the match runs in a child process that a hang guard kills instead of this worker.
    const module = new URL('../../lib/domain/alert-matching.ts', import.meta.url).href;
    const code = `const { labelRegex } = await import(${JSON.stringify(module)});
      const re = labelRegex('(a+)+');
      console.log(JSON.stringify([re.test('a'.repeat(5000) + '!'), re.test('a'.repeat(5000))]));`;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.signal, 'the match did not end').toBeNull();
    expect(JSON.parse(run.stdout)).toEqual([false, true]);
  });

  it('looks labels up as own properties: a label named constructor is absent unless sent', () => {
    const spec = withMatchers({ labels: { constructor: '' }, action: 'rollback' });
    expect(matchAlert(spec, alert({ alertname: 'A' }))).toBeDefined();
    const regex = withMatchers({ labelsRegex: { toString: '.+' }, action: 'rollback' });
    expect(matchAlert(regex, alert({ alertname: 'A' }))).toBeUndefined();
  });

  it('compares an absent label as the empty string', () => {
    const spec = withMatchers({ labels: { team: '' }, action: 'rollback' });
    expect(matchAlert(spec, alert({ alertname: 'A' }))).toBeDefined();
    expect(matchAlert(spec, alert({ alertname: 'A', team: 'payments' }))).toBeUndefined();
    const optional = withMatchers({ labelsRegex: { team: 'payments|' }, action: 'rollback' });
    expect(matchAlert(optional, alert({ alertname: 'A' }))).toBeDefined();
  });

  it('needs every condition of a matcher and any one matcher', () => {
    const spec = withMatchers(
      { labels: { alertname: 'A' }, labelsRegex: { severity: 'critical' }, action: 'rollback' },
      { labels: { alertname: 'B' }, action: 'pause' },
    );
    expect(matchAlert(spec, alert({ alertname: 'A', severity: 'warning' }))).toBeUndefined();
    expect(matchAlert(spec, alert({ alertname: 'A', severity: 'critical' }))?.action).toBe(
      'rollback',
    );
    expect(matchAlert(spec, alert({ alertname: 'B' }))).toEqual({ action: 'pause', matcher: 1 });
  });

  it('lets rollback win when a pause matcher and a rollback matcher both match', () => {
    const spec = withMatchers(
      { labels: { service: 'my-service' }, action: 'pause' },
      { labels: { severity: 'critical' }, action: 'rollback' },
    );
    expect(matchAlert(spec, alert({ service: 'my-service', severity: 'critical' }))).toEqual({
      action: 'rollback',
      matcher: 1,
    });
  });

  it('never matches a resolved alert', () => {
    const spec = withMatchers({ labels: { alertname: 'A' }, action: 'rollback' });
    expect(matchAlert(spec, alert({ alertname: 'A' }, { status: 'resolved' }))).toBeUndefined();
  });

  it('matches nothing without alert matchers', () => {
    expect(matchAlert(seedSpec(), alert({ alertname: 'A' }))).toBeUndefined();
  });

  it('matches CloudWatch alarms by name, and never a webhook alert of the same name', () => {
    const spec = withMatchers({ alarmNames: ['my-service-5xx'], action: 'rollback' });
    expect(matchAlert(spec, alarm('my-service-5xx'))).toBeDefined();
    expect(matchAlert(spec, alarm('other-alarm'))).toBeUndefined();
    expect(matchAlert(spec, alert({ alertname: 'my-service-5xx' }))).toBeUndefined();
  });

  it('matches CloudWatch alarms by tags once they are known', () => {
    const spec = withMatchers({ alarmTags: { service: 'my-service' }, action: 'rollback' });
    expect(needsAlarmTags(spec)).toBe(true);
    expect(needsAlarmTags(withMatchers({ alarmNames: ['x'], action: 'rollback' }))).toBe(false);
    expect(matchAlert(spec, alarm('x', { service: 'my-service', team: 'a' }))).toBeDefined();
    expect(matchAlert(spec, alarm('x', { service: 'other' }))).toBeUndefined();
    expect(matchAlert(spec, alarm('x'))).toBeUndefined();
  });
});

describe('an alert as the cause of a decision', () => {
  it('keeps a small alert whole', () => {
    expect(alertCause(alert({ alertname: 'A', service: 'my-service' }))).toEqual({
      type: 'alert',
      source: 'alertmanager',
      id: 'fp-1',
      name: 'A',
      labels: { alertname: 'A', service: 'my-service' },
    });
  });

  it('bounds a huge one: labels in name order up to the limit, each clipped with …', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [
        `l${String(i).padStart(4, '0')}`,
        'v'.repeat(450_000),
      ]),
    );
    const cause = alertCause(alert(labels, { name: 'n'.repeat(10_000) }));
    if (cause.type !== 'alert') throw new Error('not an alert cause');
    expect(Object.keys(cause.labels)).toHaveLength(CAUSE_LIMITS.labels);
    expect(Object.keys(cause.labels)[0]).toBe('l0000');
    expect(cause.labels.l0000).toHaveLength(CAUSE_LIMITS.value);
    expect(cause.labels.l0000?.endsWith('…')).toBe(true);
    expect(cause.name).toHaveLength(CAUSE_LIMITS.text);
    expect(JSON.stringify(cause).length).toBeLessThan(16_000);
  });
});
