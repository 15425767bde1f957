// Helpers for this folder's tests (not exported from the package).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import type { Repository } from './repository';

export async function tempDir(
  prefix = 'kube-backup-repo-',
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Cheap key derivation for tests; the default tuning is tested on its own. */
export const FAST_KDF = { N: 1024 };

export function record(
  kind: string,
  name: string,
  content: string,
  namespace = 'shop',
): ObjectRecord {
  return {
    group: kind === 'Deployment' ? 'apps' : '',
    version: 'v1',
    kind,
    resource: `${kind.toLowerCase()}s`,
    namespace,
    name,
    content,
    restorable: true,
  };
}

/** Stores objects, their record list and a snapshot document, as a backup would. */
export async function backup(
  repo: Repository,
  objects: Record<string, unknown>[],
  time = new Date().toISOString(),
): Promise<Snapshot> {
  const records: ObjectRecord[] = [];
  for (const object of objects) {
    const { id } = await repo.putJson(object);
    const meta = object.metadata as { name: string; namespace?: string };
    records.push(record(String(object.kind), meta.name, id, meta.namespace));
  }
  const list = await repo.putJson(records);
  return repo.saveSnapshot(snapshotDoc({ recordLists: [list.id], time }));
}

/** A snapshot document for tests; only recordLists and time usually matter. */
export function snapshotDoc(fields: Partial<Snapshot> & { recordLists: string[] }): Snapshot {
  return {
    id: '',
    time: new Date().toISOString(),
    cluster: { name: 'test', server: 'https://127.0.0.1:6443' },
    selection: {
      namespaces: ['shop'],
      excludeNamespaces: [],
      includeClusterResources: 'auto',
      annotatedOnly: false,
      entities: [],
    },
    tags: [],
    entities: [],
    namespaces: ['shop'],
    counts: { objects: 0, restorable: 0, byKind: {} },
    images: [],
    volumes: [],
    stats: { newBytes: 0, reusedBytes: 0, storedObjects: 0, reusedObjects: 0 },
    durationMs: 1,
    status: 'complete',
    errors: [],
    ...fields,
  };
}

export interface S3TestServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts s3rver (a real S3 protocol server) in a child process on a free port. It runs
 * with OpenSSL's legacy provider because s3rver encrypts its list continuation tokens
 * with DES, which Node 22's default OpenSSL configuration no longer offers. s3rver stores
 * bodies sent with streaming signatures (`aws-chunked`, as restic's S3 client sends them
 * over plain HTTP) as they came, chunk headers and all, where S3 stores the payload; a
 * first middleware decodes them, so such uploads read back as S3 would return them.
 */
export async function startS3Server(
  directory: string,
  buckets: string[] = [],
): Promise<S3TestServer> {
  const script = `
    const S3rver = require(process.argv[1]);
    const { Readable } = require('node:stream');
    const server = new S3rver({
      port: 0, address: '127.0.0.1', directory: process.argv[2], silent: true,
      configureBuckets: JSON.parse(process.argv[3]).map(name => ({ name })),
    });
    const decodeChunks = body => {
      const parts = [];
      for (let at = 0; at < body.length; ) {
        const end = body.indexOf('\\r\\n', at);
        const size = parseInt(body.subarray(at, end).toString('latin1').split(';')[0], 16);
        if (!(size > 0)) break;
        parts.push(body.subarray(end + 2, end + 2 + size));
        at = end + 2 + size + 2;
      }
      return Buffer.concat(parts);
    };
    server.middleware.unshift(async (ctx, next) => {
      if (!String(ctx.req.headers['x-amz-content-sha256'] || '').startsWith('STREAMING-')) return next();
      const chunks = [];
      for await (const chunk of ctx.req) chunks.push(chunk);
      const original = ctx.req;
      const decoded = Object.assign(Readable.from([decodeChunks(Buffer.concat(chunks))]), {
        headers: original.headers, method: original.method, url: original.url,
        httpVersion: original.httpVersion, socket: original.socket, connection: original.socket,
      });
      ctx.req = ctx.request.req = decoded;
      return next();
    });
    server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'),
      error => { console.error(error); process.exit(1); });
    process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
  `;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      '-e',
      script,
      require.resolve('s3rver'),
      directory,
      JSON.stringify(buckets),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', chunk => (stderr += String(chunk)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', chunk => {
      out += String(chunk);
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', code => reject(new Error(`s3rver exited with ${code}: ${stderr}`)));
    child.once('error', reject);
  });
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
