/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl
 * CLI (node:crypto cannot issue X.509 certificates). Made once per process and shared by
 * every test cluster the process starts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsMaterial {
  dir: string;
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

let pending: Promise<TlsMaterial> | undefined;

export function tlsMaterial(): Promise<TlsMaterial> {
  pending ??= generate();
  return pending;
}

async function generate(): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-test-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '3650',
    '-subj',
    '/CN=kube-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=kube-apiserver',
  ]);
  writeFileSync(
    at('server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:::1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '3650',
    '-extfile',
    at('server.ext'),
  ]);
  return {
    dir,
    caFile: at('ca.crt'),
    caPem: readFileSync(at('ca.crt'), 'utf8'),
    certPem: readFileSync(at('server.crt'), 'utf8'),
    keyPem: readFileSync(at('server.key'), 'utf8'),
  };
}
