import '../src/testing/symbol-dispose';
import type { RestoreReport, Snapshot } from '@kube-backup/core';
import { IMAGES } from '../src/testing/pod-cluster';
import { claimManifest, startVolumeSuite, writerPod, type VolumeSuite } from './volume-harness';

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
function application() {
  const mount = [{ name: 'data', mountPath: '/data' }];
  return [
    claim('data'),
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
  await suite.apply(namespace, ...application());
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

/** What the snapshot-method test backed up, for restoring the same snapshot elsewhere. */
const backedUp: { namespace?: string; snapshot?: Snapshot; sums?: string[]; lines?: number } = {};

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
    if (method === 'snapshot')
      Object.assign(backedUp, { namespace, snapshot, sums: atBackup, lines });
  });
});

describe('the same snapshot elsewhere', () => {
  it('restores into another namespace with a storage-class mapping', async () => {
    const { namespace, snapshot, sums } = backedUp;
    if (!namespace || !snapshot || !sums) throw new Error('the snapshot-method backup did not run');
    const target = await suite.namespace('ledger-copy');
    const report = await restore([
      snapshot.id,
      '--include-namespaces',
      namespace,
      '--namespace-mapping',
      `${namespace}:${target}`,
      '--storage-class-mapping',
      `${suite.cluster.storageClass}:${suite.otherStorageClass}`,
      '--exclude-resources',
      'pods',
    ]);
    expect(report.volumes).toEqual([
      expect.objectContaining({
        namespace: target,
        sourceNamespace: namespace,
        claim: 'data',
        outcome: 'restored',
      }),
    ]);
    const claim = await suite.cluster.kubectl([
      'get',
      'pvc',
      '-n',
      target,
      'data',
      '-o',
      'jsonpath={.spec.storageClassName}',
    ]);
    expect(claim.stdout).toBe(suite.otherStorageClass);
    expect(await suite.checksums(target, 'data')).toEqual(sums);
  });

  it('hydrates a dev namespace with the data of the claims tagged for hydration, and the application runs on it', async () => {
    const { namespace, snapshot, sums, lines } = backedUp;
    if (!namespace || !snapshot || !sums || !lines)
      throw new Error('the snapshot-method backup did not run');
    const dev = await suite.namespace('dev');
    const hydrated = await suite.work.cli([
      'hydrate',
      '--to',
      dev,
      '--from',
      namespace,
      '--snapshot',
      snapshot.id,
      '-o',
      'json',
    ]);
    expect(hydrated.code).toBe(0);
    const report = JSON.parse(hydrated.stdout) as RestoreReport;
    expect(report.volumes).toEqual([
      expect.objectContaining({ namespace: dev, claim: 'data', outcome: 'restored', files: 21 }),
    ]);
    // The hydrated application found its files and appends after what was backed up.
    await suite.podPhase(dev, 'app', 'Running');
    await suite.execUntil(
      dev,
      'app',
      ['sh', '-c', 'wc -l < /data/log.txt'],
      out => Number(out) > lines,
    );
    const files = sums.filter(line => line.includes('./files/'));
    expect((await suite.checksums(dev, 'data')).filter(line => line.includes('./files/'))).toEqual(
      files,
    );
    const prefix = await suite.read(dev, 'data', [
      'sh',
      '-c',
      `head -n ${lines} /data/log.txt | sha256sum`,
    ]);
    const logAtBackup = sums.find(line => line.endsWith('./log.txt'))?.split(/\s+/)[0];
    expect(prefix.split(/\s+/)[0]).toBe(logAtBackup);
  });

  it('hydrates without data when asked: the application starts on an empty claim', async () => {
    const { namespace, snapshot, sums } = backedUp;
    if (!namespace || !snapshot || !sums) throw new Error('the snapshot-method backup did not run');
    const dev = await suite.namespace('dev-empty');
    const hydrated = await suite.work.cli([
      'hydrate',
      '--to',
      dev,
      '--from',
      namespace,
      '--snapshot',
      snapshot.id,
      '--without-data',
      '-o',
      'json',
    ]);
    expect(hydrated.code).toBe(0);
    expect((JSON.parse(hydrated.stdout) as RestoreReport).volumes).toBeUndefined();
    // Its init container found no files and wrote new ones: none is the backed-up one.
    await suite.podPhase(dev, 'app', 'Running');
    const files = (await suite.checksums(dev, 'data')).filter(line => line.includes('./files/'));
    expect(files).toHaveLength(20);
    for (const line of files) expect(sums).not.toContain(line);
  });
});

describe('an unchanged volume', () => {
  it('costs under 1% of its first backup the second time, in transfer and in storage', async () => {
    const namespace = await suite.namespace('bulk');
    await suite.apply(
      namespace,
      claim('bulk'),
      writerPod('writer', 'bulk', ['test-app', 'fill', '/data', '64', '262144']),
    );
    await suite.podPhase(namespace, 'writer', 'Succeeded');
    const before = await suite.volumeDataBytes();
    const first = await backupBulk(namespace);
    const afterFirst = await suite.volumeDataBytes();
    const second = await backupBulk(namespace);
    const afterSecond = await suite.volumeDataBytes();
    expect(first.bytes).toBe(64 * 262144);
    expect(second.bytes).toBe(64 * 262144);
    expect(first.addedBytes).toBeGreaterThan(64 * 262144 * 0.9);
    expect(second.addedBytes).toBeLessThan(first.addedBytes! * 0.01);
    if (before !== undefined && afterFirst !== undefined && afterSecond !== undefined) {
      expect(afterSecond - afterFirst).toBeLessThan((afterFirst - before) * 0.01);
    }

    // Deleting the first snapshot removes the volume data only it used; what remains checks out.
    const deleted = await suite.work.cli(['delete', first.snapshot]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/volume data: removed 1 restic snapshot\(s\) no snapshot uses/);
    const verified = await suite.work.cli(['verify', '--read-data']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /ok: checked the volume repository, reading all its data, and \d+ captured volume\(s\), 0 problem\(s\)/,
    );
  });
});

describe('claims that exist, and empty ones', () => {
  it("replaces an existing claim's data only with --existing update --overwrite-volume-data", async () => {
    const namespace = await suite.namespace('overwrite');
    await suite.apply(
      namespace,
      claim('data'),
      writerPod('writer', 'data', ['test-app', 'fill', '/data', '4', '4096']),
    );
    await suite.podPhase(namespace, 'writer', 'Succeeded');
    const original = await suite.checksums(namespace, 'data');
    const snapshot = await suite.backupAll(namespace);

    // One file changed, one added since.
    await suite.apply(
      namespace,
      writerPod('changer', 'data', [
        'sh',
        '-c',
        'echo changed > /data/file-0 && echo new > /data/extra',
      ]),
    );
    await suite.podPhase(namespace, 'changer', 'Succeeded');
    const changed = await suite.checksums(namespace, 'data');
    expect(changed).not.toEqual(original);

    const kept = await restore([
      snapshot.id,
      '--object',
      'pvc/data',
      '-n',
      namespace,
      '--existing',
      'update',
    ]);
    expect(kept.volumes).toEqual([
      expect.objectContaining({ claim: 'data', outcome: 'skipped', reason: 'claim-exists' }),
    ]);
    expect(await suite.checksums(namespace, 'data')).toEqual(changed);

    const refused = await suite.work.cli([
      'restore',
      snapshot.id,
      '-n',
      namespace,
      '--overwrite-volume-data',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--overwrite-volume-data needs --existing update/);

    const replaced = await restore([
      snapshot.id,
      '--object',
      'pvc/data',
      '-n',
      namespace,
      '--existing',
      'update',
      '--overwrite-volume-data',
    ]);
    expect(replaced.volumes).toEqual([
      expect.objectContaining({ claim: 'data', outcome: 'restored' }),
    ]);
    expect(await suite.checksums(namespace, 'data')).toEqual(original);
  });

  it('captures an empty claim as empty and restores it so', async () => {
    const namespace = await suite.namespace('empty');
    await suite.apply(namespace, claim('void'));
    const snapshot = await suite.backupAll(namespace);
    expect(snapshot.volumes[0]).toMatchObject({
      claim: 'void',
      data: { status: 'captured', files: 0, bytes: 0 },
    });
    expect(snapshot.volumes[0].dataSnapshotId).toBeUndefined();
    const target = await suite.namespace('empty-copy');
    const report = await restore([snapshot.id, '--namespace-mapping', `${namespace}:${target}`]);
    expect(report.volumes).toEqual([
      expect.objectContaining({ claim: 'void', outcome: 'restored', files: 0 }),
    ]);
    expect(await suite.checksums(target, 'void')).toEqual([]);
  });
});

const claim = (name: string) => claimManifest(name, suite.cluster.storageClass);

/** The data record of the bulk claim in a new backup. */
async function backupBulk(namespace: string) {
  const snapshot = await suite.backupAll(namespace);
  const volume = snapshot.volumes.find(v => v.claim === 'bulk');
  expect(volume?.data?.status).toBe('captured');
  return { ...volume!.data!, snapshot: snapshot.id };
}
