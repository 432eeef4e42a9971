import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '../aws-json.ts';

export type { AwsCredentials };

export interface SigV4Options {
  region: string;
  /** Defaults to the AWS SDK's default chain (env, SSO, ini, web identity, ECS, IMDS). */
  credentials?: AwsCredentials;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns a function that adds SigV4 headers for Amazon Managed Prometheus (service `aps`). */
export const createSigV4Signer = (options: SigV4Options) => {
  const signer = new SignatureV4({
    service: 'aps',
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: Sha256,
  });
  return async (request: OutgoingRequest): Promise<Record<string, string>> => {
    const { url } = request;
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? (values[0] as string) : values;
    }
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        // fetch sends exactly url.host as Host, so signing it here matches the wire.
        headers: { ...request.headers, host: url.host },
        body: request.body,
      }),
    );
    // fetch sets Host itself and refuses to be told.
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
};
