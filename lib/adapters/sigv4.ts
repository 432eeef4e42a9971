import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4, type SignatureV4Init } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';

// SigV4 in one place: the AWS JSON client, Amazon Managed Prometheus, EKS tokens and the CLI's
// execute-api requests all sign with a signer made here.

/** Static credentials or a provider of them, e.g. `fromNodeProviderChain()`. */
export type AwsCredentials = SignatureV4Init['credentials'];

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (or HMAC-SHA256 with a secret) by node:crypto: native, unlike a JavaScript hash. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytes(this.secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

/** A SigV4 signer for one service and region; credentials default to the SDK's default chain. */
export const sigV4 = (service: string, region: string, credentials?: AwsCredentials) =>
  new SignatureV4({
    service,
    region,
    credentials: credentials ?? fromNodeProviderChain(),
    sha256: NodeSha256,
  });

/** A request as fetch sends it. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns a function giving the headers that sign a fetch request for `service`. */
export const fetchSigner = (service: string, region: string, credentials?: AwsCredentials) => {
  const signer = sigV4(service, region, credentials);
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
