/**
 * Volumes on the node as on a real cluster: a claim provisioned, written by one pod and
 * read back by a second after the first is gone; a VolumeSnapshot taken while a pod
 * writes, and a claim restored from it holding exactly the data of that instant; a clone;
 * the default class waiting for its first consumer; a class that cannot be snapshotted.
 */
import {
  IMAGES,
  claim,
  must,
  phaseIs,
  pod,
  startPodCluster,
  type PodCluster,
  type PodStatus,
} from '../testing/pod-cluster';

let cluster: PodCluster;

beforeAll(async () => {
  cluster = await startPodCluster('volumes');
});

afterAll(async () => {
  await cluster?.stop();
});

const mounted = (claimName: string) => ({
  volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
});
const dataMount = { volumeMounts: [{ name: 'data', mountPath: '/data' }] };

interface Claim {
  status?: { phase?: string };
  spec?: { volumeName?: string; storageClassName?: string };
}
interface Snapshot {
  status?: { readyToUse?: boolean; error?: { message: string }; restoreSize?: string };
}

async function logsOf(name: string): Promise<string> {
  await cluster.until<PodStatus>('pod', name, phaseIs('Succeeded', 'Failed'));
  return must(cluster.kubectl(['-n', cluster.namespace, 'logs', name]));
}

test('a claim written by one pod is read back by a second after the first is deleted', async () => {
  await cluster.apply(
    claim('shared', cluster.storageClass),
    pod(
      'writer',
      { command: ['sh', '-c', 'echo kept across pods > /data/note; sync'], ...dataMount },
      { restartPolicy: 'Never', ...mounted('shared') },
    ),
  );
  await cluster.until<PodStatus>('pod', 'writer', phaseIs('Succeeded'));
  await must(cluster.kubectl(['-n', cluster.namespace, 'delete', 'pod', 'writer']));
  await cluster.apply(
    pod(
      'reader',
      { command: ['cat', '/data/note'], ...dataMount },
      { restartPolicy: 'Never', ...mounted('shared') },
    ),
  );
  expect(await logsOf('reader')).toBe('kept across pods\n');
  const bound = await cluster.get<Claim>('pvc', 'shared');
  expect(bound?.status?.phase).toBe('Bound');
});

test('a snapshot taken while a pod appends holds exactly the lines of that instant', async () => {
  await cluster.apply(
    claim('journal', cluster.storageClass),
    pod(
      'appender',
      { image: IMAGES.testApp, args: ['append', '/data/journal', '0.01'], ...dataMount },
      mounted('journal'),
    ),
  );
  await cluster.until<PodStatus>('pod', 'appender', phaseIs('Running'));
  // Let it write a while, so the snapshot lands mid-stream.
  const lines = async () =>
    (
      await must(
        cluster.kubectl([
          '-n',
          cluster.namespace,
          'exec',
          'appender',
          '--',
          'cat',
          '/data/journal',
        ]),
      )
    )
      .split('\n')
      .filter(Boolean);
  for (let n = 0; n < 20; n = (await lines()).length);
  await cluster.apply({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: { name: 'journal-snap' },
    spec: {
      volumeSnapshotClassName: cluster.snapshotClass,
      source: { persistentVolumeClaimName: 'journal' },
    },
  });
  const ready = await cluster.until<Snapshot>(
    'volumesnapshot',
    'journal-snap',
    s => s.status?.readyToUse === true || !!s.status?.error,
  );
  expect(ready.status).toMatchObject({ readyToUse: true, restoreSize: '1Gi' });
  await cluster.apply(
    claim('restored', cluster.storageClass, {
      dataSource: {
        apiGroup: 'snapshot.storage.k8s.io',
        kind: 'VolumeSnapshot',
        name: 'journal-snap',
      },
    }),
    pod(
      'restore-reader',
      { command: ['cat', '/data/journal'], ...dataMount },
      { restartPolicy: 'Never', ...mounted('restored') },
    ),
  );
  const restored = (await logsOf('restore-reader')).split('\n').filter(Boolean);
  // The writer went on after the snapshot; the restored file is a clean prefix of its file.
  let live = await lines();
  while (live.length <= restored.length) live = await lines();
  expect(restored.length).toBeGreaterThanOrEqual(20);
  expect(restored).toEqual(live.slice(0, restored.length));
  expect(restored).toEqual(restored.map((_, i) => `line ${i + 1}`));
});

test('a claim cloned from another claim holds its data', async () => {
  await cluster.apply(
    claim('clone', cluster.storageClass, {
      dataSource: { kind: 'PersistentVolumeClaim', name: 'shared' },
    }),
    pod(
      'clone-reader',
      { command: ['cat', '/data/note'], ...dataMount },
      { restartPolicy: 'Never', ...mounted('clone') },
    ),
  );
  expect(await logsOf('clone-reader')).toBe('kept across pods\n');
});

const describeOnTestCluster = process.env.KUBE_BACKUP_E2E_KUBECONFIG ? describe.skip : describe;

// The names and behaviour of the test cluster's own classes: a real cluster has others.
describeOnTestCluster("the node's storage classes", () => {
  test('a claim without a class gets the default, bound once its first consumer is scheduled', async () => {
    await cluster.apply({
      ...claim('later', 'unused'),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const pending = await cluster.until<Claim>(
      'pvc',
      'later',
      c => c.spec?.storageClassName === 'standard',
    );
    expect(pending.status?.phase).toBe('Pending');
    await cluster.apply(
      pod(
        'consumer',
        { command: ['sh', '-c', 'echo local > /data/f && cat /data/f'], ...dataMount },
        { restartPolicy: 'Never', ...mounted('later') },
      ),
    );
    expect(await logsOf('consumer')).toBe('local\n');
    expect((await cluster.get<Claim>('pvc', 'later'))?.status?.phase).toBe('Bound');
  });

  test('a claim of a class without a snapshot driver cannot be snapshotted', async () => {
    await cluster.apply({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: 'not-csi' },
      spec: {
        volumeSnapshotClassName: cluster.snapshotClass,
        source: { persistentVolumeClaimName: 'later' },
      },
    });
    const failed = await cluster.until<Snapshot>(
      'volumesnapshot',
      'not-csi',
      s => !!s.status?.error,
    );
    expect(failed.status?.readyToUse).toBe(false);
    expect(failed.status?.error?.message).toMatch(/cannot find CSI PersistentVolumeSource/);
  });

  test('deleting a claim of a Delete class deletes its volume', async () => {
    const bound = await cluster.get<Claim>('pvc', 'clone');
    await must(cluster.kubectl(['-n', cluster.namespace, 'delete', 'pod', 'clone-reader']));
    await must(cluster.kubectl(['-n', cluster.namespace, 'delete', 'pvc', 'clone']));
    const pvGone = async () =>
      (await cluster.kubectl(['get', 'pv', bound!.spec!.volumeName!])).code !== 0;
    while (!(await pvGone()));
  });
});
