import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEksTokenProvider } from '../../lib/adapters/kubernetes/eks-token.ts';

// AWS's documented example key pair: not a real secret.
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const START = new Date('2030-01-01T12:00:00Z');
const MINUTE = 60_000;

const clock = (start = START) => {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (ms: number) => (at += ms) };
};

const decode = (token: string): URL => {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
};

/** SigV4 computed here by hand from the spec, so the test does not trust the signer it checks. */
const expectedSignature = (url: URL, clusterName: string, region: string): string => {
  const params = [...url.searchParams].filter(([key]) => key !== 'X-Amz-Signature');
  const enc = (text: string) =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  const query = params
    .map(([key, value]) => `${enc(key)}=${enc(value)}`)
    .sort()
    .join('&');
  const canonical = [
    'GET',
    '/',
    query,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = `${amzDate.slice(0, 8)}/${region}/sts/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = Buffer.from(`AWS4${CREDENTIALS.secretAccessKey}`);
  for (const part of [amzDate.slice(0, 8), region, 'sts', 'aws4_request']) {
    key = createHmac('sha256', key).update(part).digest();
  }
  return createHmac('sha256', key).update(toSign).digest('hex');
};

describe('EKS token provider', () => {
  it('gives the exact token the SigV4 specification gives for fixed credentials, time and cluster', async () => {
    // Known answer, built here from the specification alone: the presigned query, sorted and
    // RFC 3986-encoded, is both the canonical query and the URL's query, with the signature last,
    // as `aws eks get-token` prints it.
    const enc = (text: string) =>
      encodeURIComponent(text).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
    const host = 'sts.eu-west-1.amazonaws.com';
    const query = [
      ['Action', 'GetCallerIdentity'],
      ['Version', '2011-06-15'],
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', 'AKIDEXAMPLE/20300101/eu-west-1/sts/aws4_request'],
      ['X-Amz-Date', '20300101T120000Z'],
      ['X-Amz-Expires', '60'],
      ['X-Amz-SignedHeaders', 'host;x-k8s-aws-id'],
    ]
      .map(([key, value]) => `${enc(key as string)}=${enc(value as string)}`)
      .join('&');
    const hex = (data: string) => createHash('sha256').update(data).digest('hex');
    const canonical = `GET\n/\n${query}\nhost:${host}\nx-k8s-aws-id:prod-eu\n\nhost;x-k8s-aws-id\n${hex('')}`;
    const toSign = `AWS4-HMAC-SHA256\n20300101T120000Z\n20300101/eu-west-1/sts/aws4_request\n${hex(canonical)}`;
    let key: Buffer = Buffer.from(`AWS4${CREDENTIALS.secretAccessKey}`);
    for (const part of ['20300101', 'eu-west-1', 'sts', 'aws4_request'])
      key = createHmac('sha256', key).update(part).digest();
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    const url = `https://${host}/?${query}&X-Amz-Signature=${signature}`;
    const token = `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;

    const provider = createEksTokenProvider({
      clusterName: 'prod-eu',
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      now: () => START,
    });
    expect(await provider()).toBe(token);
  });

  it('returns a presigned STS GetCallerIdentity URL for the cluster, as aws eks get-token does', async () => {
    const { now } = clock();
    const provider = createEksTokenProvider({
      clusterName: 'prod-eu',
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      now,
    });
    const url = decode(await provider());

    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Date')).toBe('20300101T120000Z');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20300101/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    expect(q.get('X-Amz-Signature')).toBe(expectedSignature(url, 'prod-eu', 'eu-west-1'));
  });

  it('carries a session token in the URL when the credentials have one', async () => {
    const provider = createEksTokenProvider({
      clusterName: 'prod-eu',
      region: 'eu-west-1',
      credentials: { ...CREDENTIALS, sessionToken: 'session/token+with=odd chars' },
      now: clock().now,
    });
    const url = decode(await provider());
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session/token+with=odd chars');
  });

  it('signs a different cluster name into a different token', async () => {
    const { now } = clock();
    const one = createEksTokenProvider({
      clusterName: 'a',
      region: 'us-east-1',
      credentials: CREDENTIALS,
      now,
    });
    const two = createEksTokenProvider({
      clusterName: 'b',
      region: 'us-east-1',
      credentials: CREDENTIALS,
      now,
    });
    expect(await one()).not.toBe(await two());
  });

  it('reuses a token for up to 14 minutes and mints a new one after', async () => {
    const { now, advance } = clock();
    const provider = createEksTokenProvider({
      clusterName: 'prod-eu',
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      now,
    });
    const first = await provider();
    advance(14 * MINUTE - 1);
    expect(await provider()).toBe(first);
    advance(1);
    const second = await provider();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20300101T121400Z');
    advance(MINUTE);
    expect(await provider()).toBe(second);
  });

  it('does not cache a failure to get credentials', async () => {
    let calls = 0;
    const provider = createEksTokenProvider({
      clusterName: 'prod-eu',
      region: 'eu-west-1',
      credentials: async () => {
        calls += 1;
        if (calls === 1) throw new Error('no credentials yet');
        return CREDENTIALS;
      },
      now: clock().now,
    });
    await expect(provider()).rejects.toThrow('no credentials yet');
    expect(decode(await provider()).searchParams.get('Action')).toBe('GetCallerIdentity');
  });
});
