import { type AwsCredentials, fetchSigner } from '../sigv4.ts';

export type { AwsCredentials };

export interface SigV4Options {
  region: string;
  /** Defaults to the AWS SDK's default chain (env, SSO, ini, web identity, ECS, IMDS). */
  credentials?: AwsCredentials;
}

/** Returns a function that adds SigV4 headers for Amazon Managed Prometheus (service `aps`). */
export const createSigV4Signer = (options: SigV4Options) =>
  fetchSigner('aps', options.region, options.credentials);
