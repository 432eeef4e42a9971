import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// A request's SigV4 signature computed again from the specification (canonical request,
// string to sign, HMAC key chain) with node:crypto alone, so that local servers standing in
// for AWS can refuse a request the code under test signed wrong.

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();

/** The signature the request should carry, or why it cannot be checked. */
export const expectedSignature = (
  req: IncomingMessage,
  body: string,
  secretAccessKey = TEST_CREDENTIALS.secretAccessKey,
): string => {
  const auth = String(req.headers.authorization);
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      auth,
    );
  if (!match) return `malformed Authorization: ${auth}`;
  const [, , date, region, service, signedHeaders] = match as unknown as string[];
  const amzDate = String(req.headers['x-amz-date']);
  const names = (signedHeaders as string).split(';');
  // Method, path, query (none), then each signed header as `name:value\n`.
  const canonical = [
    req.method,
    new URL(req.url ?? '/', 'http://x').pathname,
    '',
    names.map((name) => `${name}:${String(req.headers[name]).trim()}\n`).join(''),
  ].join('\n');
  const request = `${canonical}\n${signedHeaders}\n${sha256(body)}`;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(request)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, date as string);
  for (const part of [region as string, service as string, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
};

/** Whether the request carries the signature the specification gives. */
export const signedRight = (req: IncomingMessage, body: string): boolean =>
  /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization))?.[1] ===
  expectedSignature(req, body);

/** The signing scope of a request: `<date>/<region>/<service>/aws4_request`. */
export const scopeOf = (req: IncomingMessage): string =>
  /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(String(req.headers.authorization))?.[1] ?? '';
