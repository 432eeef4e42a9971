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
