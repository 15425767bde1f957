import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors';
import type { ObjectRecord } from '../../snapshot/types';
import { listAll } from './backend';
import { S3Backend } from './s3-backend';
import { Repository, type OpenOptions } from '../repository';
import {
  backup,
  FAST_KDF,
  snapshotDoc,
  startS3Server,
  tempDir,
  type S3TestServer,
} from '../testing';

// A real S3 protocol server (s3rver) in a child process; credentials come from the standard
// AWS environment variables, as they would for a user.
const BUCKET = 'kube-backup-test';
const PASSWORD = 'pw';
const SECRET = 'aws-secret-inside-a-kubernetes-secret';

let server: S3TestServer;
let work: { path: string; remove(): Promise<void> };
const savedEnv = { ...process.env };
const handles: Repository[] = [];
let requests: string[] = [];
let counted: S3Client;

beforeAll(async () => {
  work = await tempDir('kube-backup-s3-');
  server = await startS3Server(join(work.path, 's3'), [BUCKET]);
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = 'us-east-1';
});

afterAll(async () => {
  await server?.stop();
  await work?.remove();
  process.env = savedEnv;
});

beforeEach(() => {
  requests = [];
  counted = countingClient();
});

afterEach(async () => {
  await Promise.all(handles.splice(0).map(h => h.close()));
  counted.destroy();
});

/** A real client whose requests are recorded by command name. */
function countingClient(): S3Client {
  const c = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  c.middlewareStack.add(
    (next, context) => async args => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return c;
}

function url(prefix: string): string {
  return `s3://${BUCKET}/${prefix}?endpoint=${server.endpoint}&region=us-east-1&forcePathStyle=true`;
}

async function initRepo(prefix: string, options: OpenOptions = {}): Promise<Repository> {
  const repo = await Repository.init(url(prefix), PASSWORD, {
    kdf: FAST_KDF,
    cacheDir: join(work.path, 'cache'),
    ...options,
  });
  handles.push(repo);
  return repo;
}

async function openRepo(prefix: string, options: OpenOptions = {}): Promise<Repository> {
  const repo = await Repository.open(url(prefix), PASSWORD, {
    cacheDir: join(work.path, 'cache'),
    ...options,
  });
  handles.push(repo);
  return repo;
}

const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop' },
  data: { name },
});
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'aws', namespace: 'shop' },
  stringData: { key: SECRET },
};

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe('Repository on S3 (s3rver)', () => {
  it('round-trips through a fresh handle and keeps the bucket unreadable without the password', async () => {
    const repo = await initRepo('roundtrip');
    const snap = await backup(repo, [secret, configMap('web')]);
    await repo.close();

    const again = await openRepo('roundtrip');
    expect(again.id).toBe(repo.id);
    expect(again.location).toBe(`s3://${BUCKET}/roundtrip`);
    const [listed] = await again.listSnapshots();
    expect(listed).toEqual(snap);
    const records = await again.getJson<ObjectRecord[]>(listed.recordLists[0]);
    expect(await again.getJson(records[0].content as string)).toEqual(secret);

    const files = await filesUnder(join(work.path, 's3'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = (await readFile(file)).toString('latin1');
      expect(text.includes(SECRET)).toBe(false);
      expect(text.includes('ConfigMap')).toBe(false);
    }
    await expect(Repository.open(url('roundtrip'), 'wrong')).rejects.toMatchObject({
      code: 'wrong-password',
      message: 'wrong repository password',
    });
  });

  it('names a missing repository, refuses a second init, and creates a missing bucket on init', async () => {
    await expect(Repository.open(url('nothing-here'), PASSWORD)).rejects.toMatchObject({
      code: 'repository-missing',
      message: `no repository at s3://${BUCKET}/nothing-here`,
    });
    await initRepo('twice');
    await expect(Repository.init(url('twice'), PASSWORD, { kdf: FAST_KDF })).rejects.toMatchObject({
      code: 'repository-exists',
    });
    const fresh = `s3://brand-new-bucket/team?endpoint=${server.endpoint}`;
    const repo = await Repository.init(fresh, PASSWORD, { kdf: FAST_KDF, cacheDir: false });
    handles.push(repo);
    await backup(repo, [configMap('x')]);
    expect(await Repository.exists(fresh)).toBe(true);
  });

  it('uploads large objects in parts and reads them back', async () => {
    const repo = await initRepo('multipart', {
      backend: { s3: { multipartThreshold: 16 * 1024, partSize: 6 * 1024, client: counted } },
    });
    const big = randomBytes(40 * 1024); // incompressible: stays ~40 KiB, so 7 parts
    const put = await repo.putBlob(big);
    expect(put.isNew).toBe(true);
    expect(requests.filter(r => r === 'UploadPartCommand')).toHaveLength(7);
    expect(requests).toContain('CompleteMultipartUploadCommand');
    const head = await counted.send(
      new HeadObjectCommand({
        Bucket: BUCKET,
        Key: `multipart/data/${put.id.slice(0, 2)}/${put.id}`,
      }),
    );
    expect(head.ContentLength).toBe(put.storedBytes);
    expect((await repo.getBlob(put.id)).equals(big)).toBe(true);
    // Small objects still go up in one request.
    requests = [];
    await repo.putBlob('small');
    expect(requests).toContain('PutObjectCommand');
    expect(requests).not.toContain('CreateMultipartUploadCommand');
  });

  it('pages through listings larger than a page, for blobs and snapshots', async () => {
    const repo = await initRepo('paged', { backend: { s3: { listPageSize: 3, client: counted } } });
    const { id: list } = await repo.putJson([]);
    const saved = [];
    for (let i = 0; i < 11; i++) {
      saved.push(
        await repo.saveSnapshot(
          snapshotDoc({
            recordLists: [list],
            time: new Date(Date.UTC(2024, 0, i + 1)).toISOString(),
          }),
        ),
      );
    }
    requests = [];
    const snapshots = await repo.listSnapshots();
    expect(snapshots.map(s => s.id)).toEqual(saved.map(s => s.id));
    expect(requests.filter(r => r === 'ListObjectsV2Command')).toHaveLength(4);

    const backend = new S3Backend({
      bucket: BUCKET,
      prefix: 'paged',
      endpoint: server.endpoint,
      forcePathStyle: true,
      listPageSize: 2,
    });
    const keys = (await listAll(backend, 'snapshots/')).map(e => e.key);
    expect(new Set(keys).size).toBe(11);
    expect(keys.every(k => /^snapshots\/[0-9a-f]{64}$/.test(k))).toBe(true);
    await backend.close();
  });

  it('caches snapshot documents locally, encrypted, so a second listing downloads none', async () => {
    const cacheDir = join(work.path, 'cache-test');
    const repo = await initRepo('cached', { cacheDir });
    const { id: list } = await repo.putJson([]);
    for (let i = 0; i < 5; i++)
      await repo.saveSnapshot(snapshotDoc({ recordLists: [list], name: `n${i}` }));
    await repo.close();
    const first = await openRepo('cached', { cacheDir, backend: { s3: { client: counted } } });
    await first.listSnapshots();
    expect(requests.filter(r => r === 'GetObjectCommand')).toHaveLength(1 + 5); // config + documents
    requests = [];
    const second = await openRepo('cached', { cacheDir, backend: { s3: { client: counted } } });
    expect(await second.listSnapshots()).toHaveLength(5);
    expect(requests.filter(r => r === 'GetObjectCommand')).toHaveLength(1); // config only
    const cached = await filesUnder(cacheDir);
    expect(cached).toHaveLength(5);
    for (const file of cached)
      expect((await readFile(file)).toString('latin1')).not.toContain('"name"');
  });

  it('verifies, names a corrupted object, and prunes with a policy', async () => {
    const repo = await initRepo('maintenance');
    const old = await backup(
      repo,
      [configMap('old-only'), configMap('shared')],
      '2024-01-01T00:00:00Z',
    );
    const recent = await backup(repo, [secret, configMap('shared')], '2024-01-02T00:00:00Z');
    await repo.close();

    const admin = await openRepo('maintenance');
    expect((await admin.verify()).ok).toBe(true);
    const report = await admin.prune({ keepLast: 1 });
    expect(report.forgotten.map(s => s.id)).toEqual([old.id]);
    expect(report.removedBlobs).toBe(2); // old-only and the old record list
    expect((await admin.listSnapshots()).map(s => s.id)).toEqual([recent.id]);
    const after = await admin.verify();
    expect(after).toMatchObject({ ok: true, snapshots: 1, objects: 2, unreferencedBlobs: 0 });

    // Corrupt one stored object directly in the bucket.
    const records = await admin.getJson<ObjectRecord[]>(recent.recordLists[0]);
    const target = records.find(r => r.kind === 'Secret')?.content as string;
    const key = `maintenance/data/${target.slice(0, 2)}/${target}`;
    const got = await counted.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from(
      await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    bytes[bytes.length - 1] ^= 0x80;
    await counted.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
    const broken = await admin.verify({ snapshotId: 'latest' });
    expect(broken.ok).toBe(false);
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems[0]).toMatchObject({ id: target, problem: 'corrupt', what: 'object' });
    expect(broken.problems[0].message).toMatch(/Secret shop\/aws/);
  });

  it('holds locks in the bucket: prune is refused while a backup writes', async () => {
    const writer = await initRepo('locked');
    await writer.putJson(configMap('in-progress'));
    const pruner = await openRepo('locked');
    const error = await pruner.prune().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'repository-locked' });
    await writer.close();
    expect((await pruner.prune()).removedBlobs).toBe(1);
  });

  it('turns bad credentials and an unreachable endpoint into one-line user errors', async () => {
    await initRepo('creds');
    const bad = new S3Backend({
      bucket: BUCKET,
      prefix: 'creds',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'NOPE', secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    const denied = await Repository.open(url('creds'), PASSWORD, { storage: bad }).catch(
      (e: unknown) => e,
    );
    expect(denied).toBeInstanceOf(UserError);
    expect((denied as UserError).code).toMatch(/unauthorized|forbidden/);
    expect((denied as UserError).message).not.toContain('wrong');
    await bad.close();

    const nowhere = 's3://kube-backup-test/x?endpoint=http://127.0.0.1:1';
    const unreachable = await Repository.open(nowhere, PASSWORD, {
      backend: { s3: { maxAttempts: 1 } },
    }).catch((e: unknown) => e);
    expect(unreachable).toMatchObject({
      code: 'invalid-argument',
      message: 'cannot reach the S3 endpoint http://127.0.0.1:1 (ECONNREFUSED)',
    });
  });
});
