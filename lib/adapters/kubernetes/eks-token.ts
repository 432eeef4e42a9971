import { HttpRequest } from '@smithy/protocol-http';
import { type AwsCredentials, sigV4 } from '../sigv4.ts';

/** Static credentials or a provider of them, e.g. `fromNodeProviderChain()`. */
export type EksCredentials = AwsCredentials;

export interface EksTokenProviderOptions {
  /** The cluster's name in EKS: the authenticator checks it against the signed `x-k8s-aws-id`. */
  clusterName: string;
  /** The region whose STS endpoint the token is presigned for. */
  region: string;
  /** Defaults to the AWS SDK's default chain (in Lambda: the function role). */
  credentials?: EksCredentials;
  /** Injected clock, for tests. */
  now?: () => Date;
}

/** Returns a bearer token for the Kubernetes API of one EKS cluster. */
export type EksTokenProvider = () => Promise<string>;

const TOKEN_PREFIX = 'k8s-aws-v1.';
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
// The presigned URL says 60 s, but EKS accepts a token for 15 minutes after X-Amz-Date.
// Refreshing at 14 leaves a minute for clock skew and a request in flight.
const PRESIGN_EXPIRES_S = 60;
const REUSE_FOR_MS = 14 * 60_000;

/**
 * The token `aws eks get-token` prints, built in process because Lambda has no aws CLI: a
 * presigned STS GetCallerIdentity URL, which the cluster's authenticator calls to learn the
 * caller's IAM identity. Tokens are cached and shared by concurrent callers.
 */
export function createEksTokenProvider(opts: EksTokenProviderOptions): EksTokenProvider {
  const now = opts.now ?? (() => new Date());
  const hostname = `sts.${opts.region}.amazonaws.com`;
  const signer = sigV4('sts', opts.region, opts.credentials);
  let cached: { token: Promise<string>; at: number } | undefined;

  const mint = async (signingDate: Date): Promise<string> => {
    const request = new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      // Not an x-amz- header, so presign keeps it a signed header rather than a query param.
      headers: { host: hostname, [CLUSTER_ID_HEADER]: opts.clusterName },
    });
    const signed = await signer.presign(request, {
      expiresIn: PRESIGN_EXPIRES_S,
      signingDate,
    });
    const url = new URL(`https://${hostname}/`);
    for (const [key, value] of Object.entries(signed.query ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) {
        if (one !== null) url.searchParams.append(key, one);
      }
    }
    return TOKEN_PREFIX + Buffer.from(url.toString()).toString('base64url');
  };

  return () => {
    const at = now();
    if (!cached || at.getTime() - cached.at >= REUSE_FOR_MS || at.getTime() < cached.at) {
      const token = mint(at);
      const entry = { token, at: at.getTime() };
      cached = entry;
      // A failed mint (no credentials yet) must not be served from the cache.
      token.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.token;
  };
}
