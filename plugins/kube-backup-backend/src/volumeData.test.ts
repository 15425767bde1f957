// Volume data through the portal's jobs: a snapshot whose claim's data movers captured on
// the test cluster's node, shown with its data, and hydrated with that data by the
// backend, which fills the claim before the workload runs on it.
import '../../../test/src/testing/symbol-dispose';
import type {
  HydrationJob,
  SnapshotDetail,
  SnapshotList,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  captureSnapshot,
  connectToCluster,
  Repository,
  volumeDataCapture,
  type ClusterConnection,
} from '@kube-backup/core';
import type { Entity } from '@backstage/catalog-model';
import { dump } from 'js-yaml';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_STORAGE, startTestCluster, type TestCluster } from '../../../test/src/server';
import { kubectlRunner, type Kubectl } from '../../../test/src/testing/kubectl';
import { IMAGES } from '../../../test/src/testing/pod-cluster';
import { startKubeBackupTestBackend, type TestBackend } from './testing/backend';
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
      memberships: { 'user:default/dev': ['group:default/ledger-team'] },
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
    let job = started.body;
    while (job.status !== 'succeeded' && job.status !== 'failed') {
      await new Promise(resolve => setTimeout(resolve, 100));
      job = (await backend.call<HydrationJob>(`/hydrations/${job.id}`)).body;
    }
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
