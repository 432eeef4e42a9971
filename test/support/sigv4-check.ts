import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** A request the stand-in took: its JSON-protocol target, content type, scope and body. */
export interface SeenRequest {
  target: string;
  contentType: string;
  scope: string;
  signedHeaders: string;
  body: unknown;
}

/** An answer of the stand-in: a status and a JSON body (or text). */
export interface StandInAnswer {
  status: number;
  body: unknown;
}

/**
 * A local stand-in for an AWS JSON-protocol service on 127.0.0.1: it refuses (403) a request
 * whose SigV4 signature is not the specification's, records the others, and answers each with
 * the next of `answers`, or once they run out with `answer(body)` (default 200 `{}`).
 */
export const startAwsStandIn = async (
  options: { answer?: (body: unknown) => StandInAnswer } = {},
) => {
  const seen: SeenRequest[] = [];
  const answers: StandInAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (!signedRight(req, body)) {
        res
          .writeHead(403)
          .end(JSON.stringify({ __type: 'InvalidSignatureException', message: 'bad signature' }));
        return;
      }
      const parsed: unknown = JSON.parse(body);
      seen.push({
        target: String(req.headers['x-amz-target']),
        contentType: String(req.headers['content-type']),
        scope: scopeOf(req),
        signedHeaders: /SignedHeaders=([^,]+)/.exec(String(req.headers.authorization))?.[1] ?? '',
        body: parsed,
      });
      const answer = answers.shift() ?? options.answer?.(parsed) ?? { status: 200, body: {} };
      res.writeHead(answer.status);
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    /** Forgets what was seen and scripts the next answers. */
    reset(next: StandInAnswer[] = []) {
      seen.length = 0;
      answers.splice(0, answers.length, ...next);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
