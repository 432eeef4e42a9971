import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/schemas/config.ts';

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

const sources = (ssmParameter: string) =>
  JSON.stringify({ am: { type: 'alertmanager', auth: 'bearer', ssmParameter } });

describe('settings a deployment makes (serverless.yml)', () => {
  it('refuses, at start, an alert secret outside the SSM path the alerts function may read', () => {
    expect(
      refusal({ KANARI_SSM_PREFIX: '/kanari/prod/', KANARI_ALERT_SOURCES: sources('/other/am') }),
    ).toBe(
      'invalid configuration: KANARI_ALERT_SOURCES.am.ssmParameter: must start with /kanari/prod/ (the only path this function may read)',
    );
    // Another stage's path is outside too.
    expect(
      refusal({
        KANARI_SSM_PREFIX: '/kanari/prod/',
        KANARI_ALERT_SOURCES: sources('/kanari/dev/am'),
      }),
    ).toContain('KANARI_ALERT_SOURCES.am.ssmParameter');
  });

  it('takes an alert secret inside the path, and any path where none is set (local runs)', () => {
    expect(
      loadConfig({
        KANARI_SSM_PREFIX: '/kanari/prod/',
        KANARI_ALERT_SOURCES: sources('/kanari/prod/am'),
      }).KANARI_ALERT_SOURCES.am?.ssmParameter,
    ).toBe('/kanari/prod/am');
    expect(
      loadConfig({ KANARI_ALERT_SOURCES: sources('/anywhere/am') }).KANARI_ALERT_SOURCES.am
        ?.ssmParameter,
    ).toBe('/anywhere/am');
  });

  it('reads the ledger retention in whole days, unset by default, and names a bad one', () => {
    expect(loadConfig({}).KANARI_LEDGER_RETENTION_DAYS).toBeUndefined();
    expect(
      loadConfig({ KANARI_LEDGER_RETENTION_DAYS: '' }).KANARI_LEDGER_RETENTION_DAYS,
    ).toBeUndefined();
    expect(loadConfig({ KANARI_LEDGER_RETENTION_DAYS: '400' }).KANARI_LEDGER_RETENTION_DAYS).toBe(
      400,
    );
    for (const bad of ['0', '1.5', 'a year'])
      expect(refusal({ KANARI_LEDGER_RETENTION_DAYS: bad })).toMatch(
        /^invalid configuration: KANARI_LEDGER_RETENTION_DAYS: /,
      );
  });

  it('takes an EKS cluster without server and caData (looked up), but not with one of them', () => {
    const eks = (extra: object) =>
      JSON.stringify({ prod: { eksClusterName: 'prod-eu-1', region: 'eu-west-1', ...extra } });
    expect(loadConfig({ KANARI_EKS_CLUSTERS: eks({}) }).KANARI_EKS_CLUSTERS.prod).toEqual({
      eksClusterName: 'prod-eu-1',
      region: 'eu-west-1',
    });
    expect(refusal({ KANARI_EKS_CLUSTERS: eks({ server: 'https://x.eks.amazonaws.com' }) })).toBe(
      'invalid configuration: KANARI_EKS_CLUSTERS.prod.caData: give server and caData together, or neither to look both up (eks:DescribeCluster)',
    );
  });

  it('reads PROMETHEUS_AUTH, and names what is wrong with one', () => {
    const auth = (value: object) => JSON.stringify(value);
    expect(
      loadConfig({
        PROMETHEUS_AUTH: auth({
          type: 'basic',
          username: 'kanari',
          ssmParameter: '/kanari/p/prometheus/pw',
        }),
      }).PROMETHEUS_AUTH,
    ).toEqual({ type: 'basic', username: 'kanari', ssmParameter: '/kanari/p/prometheus/pw' });
    expect(refusal({ PROMETHEUS_AUTH: auth({ type: 'basic', secretEnv: 'PW' }) })).toBe(
      'invalid configuration: PROMETHEUS_AUTH.username: required for type basic',
    );
    expect(refusal({ PROMETHEUS_AUTH: auth({ type: 'bearer' }) })).toBe(
      'invalid configuration: PROMETHEUS_AUTH: needs exactly one of secretEnv and ssmParameter',
    );
    expect(refusal({ PROMETHEUS_AUTH: auth({ type: 'digest', secretEnv: 'PW' }) })).toMatch(
      /^invalid configuration: PROMETHEUS_AUTH\.type: /,
    );
    expect(
      refusal({
        KANARI_SSM_PREFIX: '/kanari/p/prometheus/',
        PROMETHEUS_AUTH: auth({ type: 'bearer', ssmParameter: '/kanari/p/alerts/token' }),
      }),
    ).toBe(
      'invalid configuration: PROMETHEUS_AUTH.ssmParameter: must start with /kanari/p/prometheus/ (the only path this function may read)',
    );
  });

  it('reads the notify targets, each URL a secret, and names a bad one', () => {
    const targets = (value: object) => ({ KANARI_NOTIFY_TARGETS: JSON.stringify(value) });
    expect(
      loadConfig(targets({ oncall: { type: 'slack', ssmParameter: '/kanari/p/notify/oncall' } }))
        .KANARI_NOTIFY_TARGETS,
    ).toEqual({ oncall: { type: 'slack', ssmParameter: '/kanari/p/notify/oncall' } });
    expect(loadConfig({}).KANARI_NOTIFY_TARGETS).toEqual({});
    expect(
      refusal(targets({ oncall: { type: 'slack', url: 'https://hooks.slack.com/x' } })),
    ).toMatch(/^invalid configuration: KANARI_NOTIFY_TARGETS\.oncall: /);
    expect(
      refusal({
        ...targets({ audit: { type: 'webhook', ssmParameter: '/kanari/p/alerts/x' } }),
        KANARI_SSM_PREFIX: '/kanari/p/notify/',
      }),
    ).toBe(
      'invalid configuration: KANARI_NOTIFY_TARGETS.audit.ssmParameter: must start with /kanari/p/notify/ (the only path this function may read)',
    );
  });
});
