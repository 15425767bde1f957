// Volume data through the portal's jobs: a snapshot whose claim's data movers captured on
// the test cluster's node, shown with its data, its files browsed, searched and downloaded
// by those who may, and hydrated with that data by the backend, which fills the claim
// before the workload runs on it.
import '../../../test/src/testing/symbol-dispose';
import type {
  HydrationJob,
  SnapshotDetail,
  SnapshotList,
  VolumeFileSearch,
  VolumeFolder,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  captureSnapshot,
  connectToCluster,
  Repository,
  volumeDataCapture,
  type ClusterConnection,
} from '@kube-backup/core';
import type { Entity } from '@backstage/catalog-model';
import { dump } from 'js-yaml';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_STORAGE, startTestCluster, type TestCluster } from '../../../test/src/server';
import { kubectlRunner, type Kubectl } from '../../../test/src/testing/kubectl';
import { IMAGES } from '../../../test/src/testing/pod-cluster';
import { startKubeBackupTestBackend, type TestBackend } from './testing/backend';
import { hydrationEnded } from './testing/jobs';
import { postgresMissing, startPostgres, type TestPostgres } from './testing/postgres';
import { describeNeeding } from '../../../test/src/testing/components';
import { FAST_KDF } from './testing/repository';

jest.setTimeout(240_000);

const describeWithPostgres = describeNeeding([postgresMissing()]);
const PASSWORD = 'correct horse battery staple';
const ledger: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ledger',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'ledger' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'ledger-team' },
};
const LABELS = { 'backstage.io/kubernetes-id': 'ledger' };
/** Not an owner, but the permission policy grants kube-backup.files.read for ledger alone. */
const SRE = 'user:default/sre';
/** Not an owner; the policy allows every permission to everyone, which is not a grant for ledger. */
const GUEST = 'user:default/guest';

describeWithPostgres('volume data in the portal', () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  let connection: ClusterConnection;
  let postgres: TestPostgres;
  let repoDir: string;
  let backend: TestBackend;
  let checksums: string;

  const run = async (args: string[], input?: string) => {
    const result = await kubectl(args, input === undefined ? {} : { input });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const waitRunning = (namespace: string, pod: string) =>
    run([
      'wait',
      '-n',
      namespace,
      `pod/${pod}`,
      '--for=jsonpath={.status.phase}=Running',
      '--timeout=120s',
    ]);

  beforeAll(async () => {
    cluster = await startTestCluster({ node: true });
    kubectl = kubectlRunner(cluster.kubeconfigPath);
    await run(['create', 'namespace', 'ledger']);
    const mount = [{ name: 'data', mountPath: '/data' }];
    await run(
      ['apply', '-n', 'ledger', '-f', '-'],
      [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: 'ledger-data',
            labels: LABELS,
            annotations: { 'kube-backup.io/capture': 'true' },
          },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: NODE_STORAGE.csiStorageClass,
            resources: { requests: { storage: '1Gi' } },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'ledger', labels: LABELS },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'ledger',
                image: IMAGES.testApp,
                command: [
                  'sh',
                  '-c',
                  '[ -d /data/books ] || test-app fill /data/books 8 8192; exec test-app sleep',
                ],
                volumeMounts: mount,
              },
            ],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'ledger-data' } }],
          },
        },
      ]
        .map(manifest => dump(manifest))
        .join('---\n'),
    );
    await waitRunning('ledger', 'ledger');
    for (;;) {
      checksums = await run([
        'exec',
        '-n',
        'ledger',
        'ledger',
        '--',
        'test-app',
        'checksum',
        '/data',
      ]);
      if (checksums.split('\n').filter(Boolean).length === 8) break;
    }

    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-backend-volumes-'));
    const location = `file://${repoDir}`;
    const repository = await Repository.init(location, PASSWORD, { kdf: FAST_KDF });
    connection = await connectToCluster({ kubeconfig: cluster.kubeconfigPath });
    try {
      const snapshot = await captureSnapshot(connection, repository, {
        namespaces: ['ledger'],
        entities: ['ledger'],
        volumeData: volumeDataCapture(connection, repository, { location, nodePath: repoDir }),
      });
      expect(snapshot.volumes[0].data?.status).toBe('captured');
    } finally {
      await repository.close();
    }

    postgres = await startPostgres();
    backend = await startKubeBackupTestBackend({
      repository: { location, password: PASSWORD },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [{ name: 'dev', cluster: 'dev', namespaces: ['dev-*'] }],
      protectedNamespaces: ['ledger', 'kube-system'],
      volumes: { repositoryNodePath: repoDir, concurrency: 2 },
      knex: await postgres.newDatabase(),
      entities: [ledger],
      memberships: { 'user:default/dev': ['group:default/ledger-team'], [SRE]: [], [GUEST]: [] },
      policy: (permission, user) =>
        permission === 'kube-backup.files.read' && user === SRE
          ? { onlyForEntities: ['component:default/ledger'] }
          : AuthorizeResult.ALLOW,
      defaultUser: 'user:default/dev',
    });
  });

  afterAll(async () => {
    connection?.client.close();
    await backend?.stop();
    await postgres?.stop();
    await cluster?.stop();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  it("shows each volume's method, consistency, size and files, and the data's size in the list", async () => {
    const list = await backend.call<SnapshotList>('/entities/component/default/ledger/snapshots');
    expect(list.body.items[0].volumeDataBytes).toBe(8 * 8192);
    const detail = await backend.call<SnapshotDetail>(
      `/entities/component/default/ledger/snapshots/${list.body.items[0].id}`,
    );
    expect(detail.body.volumes).toEqual([
      expect.objectContaining({
        namespace: 'ledger',
        claim: 'ledger-data',
        data: expect.objectContaining({
          status: 'captured',
          method: 'snapshot',
          consistency: 'crash',
          bytes: 8 * 8192,
          files: 8,
        }),
      }),
    ]);
  });

  describe('files of the claim', () => {
    let files: string;
    beforeAll(async () => {
      const list = await backend.call<SnapshotList>('/entities/component/default/ledger/snapshots');
      files = `/entities/component/default/ledger/snapshots/${list.body.items[0].id}/volumes/ledger/ledger-data/files`;
    });
    const download = async (path: string, user = 'user:default/dev') => {
      const response = await fetch(
        `http://localhost:${backend.port}/api/kube-backup${files}/content?path=${encodeURIComponent(path)}`,
        { headers: { Authorization: `Bearer ${await backend.tokenFor(user)}` } },
      );
      return { response, body: Buffer.from(await response.arrayBuffer()) };
    };

    it('lists one folder at a time with sizes and modes, and finds files by name', async () => {
      const root = await backend.call<VolumeFolder>(files);
      expect(root.status).toBe(200);
      expect(root.body).toMatchObject({ path: '/', canDownload: true });
      expect(root.body.entries.map(entry => [entry.name, entry.type])).toEqual([['books', 'dir']]);
      const books = await backend.call<VolumeFolder>(`${files}?path=/books`);
      expect(books.body.entries).toHaveLength(8);
      expect(books.body.entries[0]).toMatchObject({
        path: expect.stringMatching(/^\/books\/[^/]+$/),
        type: 'file',
        size: 8192,
        permissions: expect.stringMatching(/^-rw/),
        mtime: expect.stringMatching(/^\d{4}-/),
      });
      const name = books.body.entries[3].name;
      const found = await backend.call<VolumeFileSearch>(
        `${files}/search?name=${encodeURIComponent(name.toUpperCase())}`,
      );
      expect(found.body.entries.map(entry => entry.path)).toEqual([`/books/${name}`]);
      expect(found.body.truncated).toBe(false);
      expect(await backend.audit.next(event => event.eventId === 'files-search')).toMatchObject({
        outcome: 'success',
        meta: { name: name.toUpperCase(), found: 1 },
      });
    });

    it('refuses paths that leave the volume, and claims that are not the entity’s', async () => {
      const climbing = await backend.call<{ error: { message: string } }>(
        `${files}?path=/books/../../etc`,
      );
      expect(climbing.status).toBe(400);
      expect(climbing.body.error.message).toMatch(/leaves the volume/);
      const missing = await backend.call<{ error: { message: string } }>(`${files}?path=/nope`);
      expect(missing.status).toBe(404);
      const foreign = await backend.call<{ error: { message: string } }>(
        files.replace('/ledger/ledger-data/', '/kube-system/etcd-data/'),
      );
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.message).toMatch(
        /holds no claim kube-system\/etcd-data of component:default\/ledger/,
      );
    });

    it('streams a file and a folder as tar to an owner, and to a user granted the permission for the entity', async () => {
      const listed = await backend.call<VolumeFolder>(`${files}?path=/books`);
      const first = listed.body.entries[0];
      const file = await download(first.path, SRE);
      expect(file.response.status).toBe(200);
      expect(file.response.headers.get('content-disposition')).toContain(first.name);
      expect(file.body.length).toBe(8192);
      const line = checksums.split('\n').find(entry => entry.endsWith(`./books/${first.name}`));
      expect(line?.split(/\s+/)[0]).toBe(createHash('sha256').update(file.body).digest('hex'));

      const folder = await download('/books');
      expect(folder.response.headers.get('content-disposition')).toContain('books.tar');
      const tar = join(repoDir, 'books.tar');
      await writeFile(tar, folder.body);
      expect(execFileSync('tar', ['-tf', tar]).toString().split('\n').filter(Boolean)).toEqual(
        listed.body.entries.map(entry => `books/${entry.name}`),
      );
      // Each file in the tar is the one the pod wrote.
      for (const entry of listed.body.entries) {
        const bytes = execFileSync('tar', ['-xOf', tar, `books/${entry.name}`]);
        expect(`${createHash('sha256').update(bytes).digest('hex')}  ./books/${entry.name}`).toBe(
          checksums.split('\n').find(sum => sum.endsWith(`./books/${entry.name}`)),
        );
      }
      const fetched = backend.audit.events.filter(
        event => event.eventId === 'files-download' && event.outcome === 'success',
      );
      expect(fetched.map(event => [event.meta.user, event.meta.fetched, event.meta.bytes])).toEqual(
        expect.arrayContaining([
          [SRE, first.path, 8192],
          ['user:default/dev', '/books', folder.body.length],
        ]),
      );
    });

    it('refuses a download to a non-owner whom the policy allows everything, and logs nothing as fetched', async () => {
      const listing = await backend.call<VolumeFolder>(files, { user: GUEST });
      expect(listing.body.canDownload).toBe(false);
      const refused = await download('/books', GUEST);
      expect(refused.response.status).toBe(403);
      expect(refused.body.toString()).toMatch(
        /only an owner of component:default\/ledger \(group:default\/ledger-team\), or a user a permission policy grants kube-backup.files.read for it, may download files of it/,
      );
      const theirs = backend.audit.events.filter(
        event => event.eventId === 'files-download' && event.meta.user === GUEST,
      );
      expect(theirs.map(event => [event.outcome, event.meta.fetched])).toEqual([
        ['failure', undefined],
      ]);
    });

    it('takes a files restore request only for the entity’s own claims', async () => {
      const list = await backend.call<SnapshotList>('/entities/component/default/ledger/snapshots');
      const request = (files: object) =>
        backend.call<{ error: { message: string } }>(
          '/entities/component/default/ledger/restore-requests',
          { method: 'POST', body: { snapshotId: list.body.items[0].id, reason: 'x', files } },
        );
      const base = { namespace: 'ledger', claim: 'ledger-data', paths: ['books/'] };
      const foreign = await request({ ...base, targetClaim: 'other-team' });
      expect(foreign.status).toBe(400);
      expect(foreign.body.error.message).toMatch(
        /files.targetClaim: ledger\/other-team is not one of component:default\/ledger's claims/,
      );
      const made = await backend.call<{ type: string; files: object; status: string }>(
        '/entities/component/default/ledger/restore-requests',
        {
          method: 'POST',
          body: { snapshotId: list.body.items[0].id, reason: 'x', files: base },
        },
      );
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        type: 'files',
        status: 'pending',
        files: { ...base, paths: ['/books'], targetClaim: 'ledger-data', existing: 'skip' },
      });
    });
  });

  it('hydrates a dev namespace with the data, filled before the workload starts, and logs it', async () => {
    const list = await backend.call<SnapshotList>('/entities/component/default/ledger/snapshots');
    const started = await backend.call<HydrationJob>(
      '/entities/component/default/ledger/hydrations',
      {
        method: 'POST',
        body: {
          snapshotId: list.body.items[0].id,
          target: 'dev',
          namespace: 'dev-ledger',
          withData: true,
        },
      },
    );
    expect(started.status).toBe(202);
    const job = await hydrationEnded(backend, started.body.id);
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    const messages = job.log.map(line => line.message);
    expect(messages).toContain('restoring the data of dev-ledger/ledger-data');
    expect(messages).toContain('data of dev-ledger/ledger-data restored (65536 bytes in 8 files)');
    expect(job.result).toMatchObject({
      volumes: [
        expect.objectContaining({
          namespace: 'dev-ledger',
          claim: 'ledger-data',
          outcome: 'restored',
        }),
      ],
    });
    await waitRunning('dev-ledger', 'ledger');
    expect(
      await run(['exec', '-n', 'dev-ledger', 'ledger', '--', 'test-app', 'checksum', '/data']),
    ).toBe(checksums);
  });
});
