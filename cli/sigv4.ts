import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ApiClientOptions } from './api-client.ts';

/**
 * Signs requests to the HTTP API's IAM authorizer (service `execute-api`) with the AWS SDK's
 * default credential chain: environment, SSO, shared config, web identity, ECS, IMDS.
 */
export const executeApiSigner = (region: string): NonNullable<ApiClientOptions['sign']> => {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: fromNodeProviderChain(),
    sha256: Sha256,
  });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? (values[0] as string) : values;
    }
    const signed = await signer.sign(
      new HttpRequest({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        // fetch sends exactly url.host as Host, so signing it here matches the wire.
        headers: { ...headers, host: url.host },
        body,
      }),
    );
    // fetch sets Host itself and refuses to be told.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  };
};
