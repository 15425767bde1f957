import '../src/testing/symbol-dispose';
import type { RestoreReport, Snapshot } from '@kube-backup/core';
import { IMAGES } from '../src/testing/pod-cluster';
import { startVolumeSuite, type VolumeSuite } from './volume-harness';

/**
 * Volume data end to end with running pods: an application writes files (one appended to
 * all along) and a pre-backup hook pauses it and records the checksums of that instant;
 * the namespace is backed up, deleted and restored, and a pod reading the restored claim
 * must see exactly those bytes.
 */
jest.setTimeout(300_000);

let suite: VolumeSuite;

beforeAll(async () => {
  suite = await startVolumeSuite('volumes');
});
afterAll(async () => {
  await suite?.stop();
});

/** The application: fills `files/` once, then appends to `log.txt` every 20 ms. */
function application(storageClass: string) {
  const mount = [{ name: 'data', mountPath: '/data' }];
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: storageClass,
        resources: { requests: { storage: '1Gi' } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'app',
        labels: { app: 'ledger' },
        annotations: {
          'kube-backup.io/volumes': 'data',
          'kube-backup.io/tags': 'hydrate',
          'kube-backup.io/pre-backup':
            'test-app pause && test-app checksum /data > /tmp/at-backup.sums && wc -l < /data/log.txt > /tmp/at-backup.lines',
          'kube-backup.io/post-backup': 'test-app resume',
        },
      },
      spec: {
        terminationGracePeriodSeconds: 1,
        initContainers: [
          {
            name: 'fill',
            image: IMAGES.testApp,
            command: ['sh', '-c', '[ -d /data/files ] || test-app fill /data/files 20 65536'],
            volumeMounts: mount,
          },
        ],
        containers: [
          {
            name: 'app',
            image: IMAGES.testApp,
            args: ['append', '/data/log.txt', '0.02'],
            volumeMounts: mount,
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    },
  ];
}

async function startApplication(namespace: string): Promise<void> {
  await suite.apply(namespace, ...application(suite.cluster.storageClass));
  await suite.podPhase(namespace, 'app', 'Running');
  // Appending: the log has lines, and more keep coming while the backup runs.
  await suite.execUntil(
    namespace,
    'app',
    ['sh', '-c', 'wc -l < /data/log.txt'],
    out => Number(out) >= 10,
  );
}

async function backup(namespace: string, method: string): Promise<Snapshot> {
  const result = await suite.work.cli([
    'create',
    '-n',
    namespace,
    '--volume-method',
    method,
    '-o',
    'json',
  ]);
  expect(result.stderr).toMatch(/volume data 1\/1: \S+\/data captured/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Snapshot;
}

async function deleteNamespace(namespace: string): Promise<void> {
  const result = await suite.cluster.kubectl([
    'delete',
    'namespace',
    namespace,
    '--wait=true',
    '--timeout=60s',
  ]);
  expect(result.code).toBe(0);
}

async function restore(args: string[]): Promise<RestoreReport> {
  const result = await suite.work.cli(['restore', ...args, '-o', 'json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as RestoreReport;
}

describe.each(['snapshot', 'fs'])('with the %s method', method => {
  it('backs up an appending application consistently and restores it byte for byte', async () => {
    const namespace = await suite.namespace(`ledger-${method}`);
    await startApplication(namespace);

    const snapshot = await backup(namespace, method);
    expect(snapshot.status).toBe('complete');
    const [volume] = snapshot.volumes;
    expect(volume).toMatchObject({
      namespace,
      claim: 'data',
      dataSnapshotId: expect.stringMatching(/^[0-9a-f]{64}$/),
      data: { status: 'captured', method, consistency: 'application', files: 21 },
    });
    expect(volume.data?.hooks?.map(hook => [hook.phase, hook.pod, hook.outcome])).toEqual([
      ['pre', 'app', 'succeeded'],
      ['post', 'app', 'succeeded'],
    ]);
    const atBackup = (await suite.exec(namespace, 'app', ['cat', '/tmp/at-backup.sums']))
      .split('\n')
      .filter(Boolean);
    expect(atBackup).toHaveLength(21);
    // The application went on writing after the post-backup hook.
    const lines = Number(await suite.exec(namespace, 'app', ['cat', '/tmp/at-backup.lines']));
    await suite.execUntil(
      namespace,
      'app',
      ['sh', '-c', 'wc -l < /data/log.txt'],
      out => Number(out) > lines,
    );

    await deleteNamespace(namespace);
    const report = await restore([
      snapshot.id,
      '--include-namespaces',
      namespace,
      '--exclude-resources',
      'pods',
    ]);
    expect(report.volumes).toEqual([
      expect.objectContaining({ namespace, claim: 'data', outcome: 'restored', files: 21 }),
    ]);
    expect(await suite.checksums(namespace, 'data')).toEqual(atBackup);
  });
});
