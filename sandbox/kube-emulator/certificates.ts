import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServingCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with the openssl
 * CLI in `dir`. kubectl (Go) ignores the Common Name, so the SANs are what make it trust us.
 */
export async function createServingCertificates(dir: string): Promise<ServingCertificates> {
  const path = (name: string) => join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    '30',
    '-subj',
    '/CN=kanari-sandbox-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    ...ecKey,
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
    '-subj',
    '/CN=kanari-sandbox-apiserver',
  ]);
  await writeFile(
    path('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-set_serial',
    `0x${Date.now().toString(16)}`,
    '-days',
    '30',
    '-sha256',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.crt'),
  ]);
  return {
    caFile: path('ca.crt'),
    certFile: path('server.crt'),
    keyFile: path('server.key'),
    cert: await readFile(path('server.crt'), 'utf8'),
    key: await readFile(path('server.key'), 'utf8'),
  };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}
