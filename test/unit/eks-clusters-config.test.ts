import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/schemas/config.ts';

const PROD = {
  eksClusterName: 'prod-eu',
  region: 'eu-west-1',
  server: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
  caData: Buffer.from('-----BEGIN CERTIFICATE-----\n...').toString('base64'),
};

const refusal = (value: string): string => {
  try {
    loadConfig({ KANARI_EKS_CLUSTERS: value });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('KANARI_EKS_CLUSTERS', () => {
  it('reads EKS clusters keyed by kanari cluster name, and is empty when unset', () => {
    const config = loadConfig({ KANARI_EKS_CLUSTERS: JSON.stringify({ prod: PROD }) });
    expect(config.KANARI_EKS_CLUSTERS).toEqual({ prod: PROD });
    expect(loadConfig({}).KANARI_EKS_CLUSTERS).toEqual({});
    expect(loadConfig({ KANARI_EKS_CLUSTERS: '' }).KANARI_EKS_CLUSTERS).toEqual({});
  });

  it('names the variable when it is not JSON', () => {
    expect(refusal('{prod:')).toMatch(/^invalid configuration: KANARI_EKS_CLUSTERS: not JSON/);
  });

  it('names each bad field of a cluster', () => {
    const message = refusal(
      JSON.stringify({ prod: { ...PROD, server: 'http://plain', caData: 'not base64!' } }),
    );
    expect(message).toContain('KANARI_EKS_CLUSTERS.prod.server: expected an https:// URL');
    expect(message).toContain('KANARI_EKS_CLUSTERS.prod.caData');
  });

  it('refuses a cluster without its EKS name or with unknown fields', () => {
    const { eksClusterName: _, ...nameless } = PROD;
    expect(refusal(JSON.stringify({ prod: nameless }))).toContain(
      'KANARI_EKS_CLUSTERS.prod.eksClusterName',
    );
    expect(refusal(JSON.stringify({ prod: { ...PROD, token: 'x' } }))).toContain(
      'KANARI_EKS_CLUSTERS.prod',
    );
  });
});

describe('configuration messages', () => {
  // The config schema is built with zod/mini, which loads no locale: lib/schemas/mini.ts loads
  // zod's English one. This file imports nothing that loads classic zod, whose import would
  // set the English locale too and hide a missing one.
  it('names each bad variable in English, not "Invalid input"', () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message({ PROMETHEUS_URL: 'not a url' })).toBe(
      'invalid configuration: PROMETHEUS_URL: Invalid URL',
    );
    expect(message({ KANARI_SCHEDULE_SECONDS: '0' })).toBe(
      'invalid configuration: KANARI_SCHEDULE_SECONDS: Too small: expected number to be >=1',
    );
    expect(message({ KANARI_API_TOKENS: 'alice' })).toBe(
      'invalid configuration: KANARI_API_TOKENS: expected name=token pairs separated by commas',
    );
    expect(message({ KANARI_EKS_CLUSTERS: JSON.stringify({ prod: { ...PROD, region: 3 } }) })).toBe(
      'invalid configuration: KANARI_EKS_CLUSTERS.prod.region: Invalid input: expected string, received number',
    );
  });
});
