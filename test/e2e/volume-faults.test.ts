import '../src/testing/symbol-dispose';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { KubeObject, Snapshot } from '@kube-backup/core';
import { startS3Server, type S3TestServer } from '../../shared/src/repository/testing';
import { IMAGES } from '../src/testing/pod-cluster';
import { CLI } from './harness';
import { claimManifest, startVolumeSuite, writerPod, type VolumeSuite } from './volume-harness';

/**
 * What goes wrong with volume data: a backup killed while it works, a mover that dies,
 * and a repository the movers cannot reach. Nothing may be left behind or half-listed.
 */
jest.setTimeout(300_000);

let suite: VolumeSuite;

beforeAll(async () => {
  suite = await startVolumeSuite('volume-faults');
});
afterAll(async () => {
  await suite?.stop();
});

const claim = (name: string, annotations: Record<string, string> = {}) =>
  claimManifest(name, suite.cluster.storageClass, annotations);
const writer = (name: string, claimName: string) =>
  writerPod(name, claimName, ['test-app', 'fill', '/data', '5', '4096']);

/** A pod that sleeps with a claim at /data, named by its `kube-backup.io/volumes`, with hooks. */
function idleApp(name: string, claimName: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: { 'kube-backup.io/volumes': 'data', ...annotations } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'app',
          image: IMAGES.testApp,
          args: ['sleep'],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

/** Mover pods created in a namespace while `during` runs, seen by a watch. */
async function moversStartedDuring(
  namespace: string,
  during: () => Promise<void>,
): Promise<string[]> {
  const watch = spawn('kubectl', [
    '--kubeconfig',
    suite.cluster.kubeconfig,
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    'kube-backup.io/role=mover',
    '--watch',
    '-o',
    'name',
  ]);
  let seen = '';
  watch.stdout.on('data', chunk => (seen += String(chunk)));
  await during();
  watch.kill();
  return seen.split('\n').filter(Boolean);
}

it('a backup killed while it works leaves no snapshot, and the next command removes what it made', async () => {
  const namespace = await suite.namespace('killed');
  await suite.apply(
    namespace,
    claim('gated'),
    claim('held', { 'kube-backup.io/capture': 'true' }),
    writer('seed', 'held'),
    // Its post-backup hook blocks until the test releases it: the backup is caught after
    // its snapshot.
    idleApp('gatekeeper', 'gated', {
      'kube-backup.io/post-backup':
        'touch /tmp/entered; while [ ! -e /tmp/release ]; do sleep 0.05; done',
      'kube-backup.io/post-backup-timeout': '10m',
    }),
  );
  await suite.podPhase(namespace, 'seed', 'Succeeded');
  await suite.podPhase(namespace, 'gatekeeper', 'Running');
  const release = suite.holdMoverOf(namespace, 'held');

  const backup = spawn(CLI, ['create', '-n', namespace, '--volume-method', 'snapshot'], {
    env: suite.work.env,
  });
  const exited = new Promise(resolve => backup.once('exit', resolve));
  await suite.execUntil(
    namespace,
    'gatekeeper',
    ['sh', '-c', 'test -e /tmp/entered && echo yes'],
    out => out.trim() === 'yes',
  );
  const expected = ['Lease', 'Secret', 'VolumeSnapshot'];
  if (release) {
    // The held mover of the other claim is there too, reading a clone of its snapshot.
    expected.push('Pod', 'PersistentVolumeClaim');
    for (;;) {
      const kinds = (await suite.leftovers()).map(line => line.split(' ')[0]);
      if (kinds.includes('Pod')) break;
    }
  }
  backup.kill('SIGKILL');
  await exited;

  const kinds = new Set((await suite.leftovers()).map(line => line.split(' ')[0]));
  for (const kind of expected) expect(kinds).toContain(kind);
  const listed = await suite.work.cli(['list', '-o', 'json']);
  expect(JSON.parse(listed.stdout) as Snapshot[]).toEqual([]);

  // Any command that reaches the cluster clears what the dead one left.
  const next = await suite.work.cli(['create', '-n', namespace, '--volumes', 'none']);
  expect(next.code).toBe(0);
  expect(next.stderr).toMatch(/removed what interrupted operation \w+ left: .*VolumeSnapshot/);
  expect(await suite.leftovers()).toEqual([]);

  release?.();
  await suite.exec(namespace, 'gatekeeper', ['touch', '/tmp/release']);
});

it('a mover whose container dies fails only its volume: the snapshot is partial and keeps the rest', async () => {
  const namespace = await suite.namespace('mover-dies');
  const marked = { 'kube-backup.io/capture': 'true' };
  await suite.apply(
    namespace,
    claim('alpha', marked),
    claim('beta', marked),
    writer('a', 'alpha'),
    writer('b', 'beta'),
  );
  await suite.podPhase(namespace, 'a', 'Succeeded');
  await suite.podPhase(namespace, 'b', 'Succeeded');
  const stop = suite.killMoverOf(namespace, 'beta');
  const result = await suite.work.cli([
    'create',
    '-n',
    namespace,
    '--volume-method',
    'fs',
    '-o',
    'json',
  ]);
  stop();
  expect(result.code).toBe(2);
  const snapshot = JSON.parse(result.stdout) as Snapshot;
  expect(snapshot.status).toBe('partial');
  const byClaim = Object.fromEntries(snapshot.volumes.map(volume => [volume.claim, volume]));
  expect(byClaim.alpha.data).toMatchObject({ status: 'captured', method: 'fs', files: 5 });
  expect(byClaim.beta.data).toMatchObject({ status: 'failed', method: 'fs' });
  expect(byClaim.beta.data?.errors?.join()).toMatch(/killed|137|exit code/);
  expect(snapshot.errors).toEqual([
    expect.objectContaining({ resource: 'persistentvolumeclaims', namespace, name: 'beta' }),
  ]);
  expect(snapshot.counts.restorable).toBeGreaterThan(2);
  expect(result.stderr).toMatch(/is partial/);
  const listed = JSON.parse((await suite.work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];
  expect(listed.map(s => s.id)).toContain(snapshot.id);
  expect(await suite.leftovers()).toEqual([]);
});

it('a failed pre-backup hook fails its volume, and the post-backup hook still runs', async () => {
  const namespace = await suite.namespace('hook-fails');
  await suite.apply(
    namespace,
    claim('strict'),
    claim('lenient'),
    idleApp('strict', 'strict', {
      'kube-backup.io/pre-backup': 'echo cannot flush; exit 3',
      'kube-backup.io/post-backup': 'touch /tmp/post-ran',
    }),
    // Velero's annotations, as a team moving from Velero has them.
    idleApp('lenient', 'lenient', {
      'pre.hook.backup.velero.io/command': '["/bin/sh", "-c", "exit 4"]',
      'pre.hook.backup.velero.io/on-error': 'Continue',
      'post.hook.backup.velero.io/command': '["/bin/sh", "-c", "touch /tmp/post-ran"]',
    }),
  );
  await suite.podPhase(namespace, 'strict', 'Running');
  await suite.podPhase(namespace, 'lenient', 'Running');
  const result = await suite.work.cli([
    'create',
    '-n',
    namespace,
    '--volume-method',
    'snapshot',
    '--keep-volume-snapshots',
    '-o',
    'json',
  ]);
  expect(result.code).toBe(2);
  const snapshot = JSON.parse(result.stdout) as Snapshot;
  const byClaim = Object.fromEntries(snapshot.volumes.map(volume => [volume.claim, volume.data]));
  expect(byClaim.strict).toMatchObject({ status: 'failed', method: 'snapshot' });
  expect(byClaim.strict?.errors).toEqual([
    expect.stringMatching(
      /^pre-backup hook in pod strict \(app\) failed: .*3.*; output: cannot flush$/,
    ),
  ]);
  expect(
    byClaim.strict?.hooks?.map(hook => [hook.phase, hook.source, hook.outcome, hook.exitCode]),
  ).toEqual([
    ['pre', 'kube-backup', 'failed', 3],
    ['post', 'kube-backup', 'succeeded', 0],
  ]);
  expect(byClaim.lenient).toMatchObject({ status: 'captured', consistency: 'crash' });
  expect(byClaim.lenient?.hooks?.map(hook => [hook.phase, hook.source, hook.outcome])).toEqual([
    ['pre', 'velero', 'failed'],
    ['post', 'velero', 'succeeded'],
  ]);
  for (const pod of ['strict', 'lenient'])
    await suite.exec(namespace, pod, ['test', '-e', '/tmp/post-ran']);

  // The kept VolumeSnapshot is a restore point of the captured volume, no operation's leftover.
  expect(byClaim.lenient?.volumeSnapshot).toBeDefined();
  const kept = await suite.cluster.kubectl([
    'get',
    'volumesnapshot',
    '-n',
    namespace,
    byClaim.lenient!.volumeSnapshot!,
    '-o',
    'json',
  ]);
  const metadata = (JSON.parse(kept.stdout) as { metadata: KubeObject['metadata'] }).metadata;
  expect(metadata.labels?.['kube-backup.io/kept-for']).toBe(snapshot.id.slice(0, 16));
  expect(metadata.annotations?.['kube-backup.io/snapshot']).toBe(snapshot.id);
  expect(metadata.labels?.['kube-backup.io/operation']).toBeUndefined();
  expect(await suite.leftovers()).toEqual([]);
});

describe('a repository the movers cannot reach', () => {
  let namespace: string;

  beforeAll(async () => {
    namespace = await suite.namespace('unreachable');
    await suite.apply(namespace, claim('data', { 'kube-backup.io/capture': 'true' }));
  });

  it('a local repository with no path on the nodes fails in one line before any pod starts', async () => {
    const env = {
      KUBE_BACKUP_REPOSITORY: `file://${join(suite.work.dir, 'local-only')}`,
      KUBE_BACKUP_REPOSITORY_NODE_PATH: '',
    };
    expect((await suite.work.cli(['repo', 'init'], env)).code).toBe(0);
    let result = { code: 0, stdout: '', stderr: '' };
    const movers = await moversStartedDuring(namespace, async () => {
      result = await suite.work.cli(['create', '-n', namespace], env);
    });
    expect(movers).toEqual([]);
    expect(result.code).toBe(7);
    // Progress lines come first; the error is the one last line.
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter(line => line.startsWith('error:'))).toEqual([lines[lines.length - 1]]);
    expect(lines[lines.length - 1]).toMatch(
      /^error: movers in the cluster cannot reach the repository at file:\/\/.*--repository-node-path/,
    );
    const listed = await suite.work.cli(['list', '-o', 'json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  describe('through S3', () => {
    let s3: S3TestServer | undefined;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      if (suite.cluster.server) {
        s3 = await startS3Server(join(suite.work.dir, 's3'), ['backups']);
        env = {
          KUBE_BACKUP_REPOSITORY: `s3://backups/volumes-e2e?endpoint=${s3.endpoint}&region=us-east-1`,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
        };
      } else {
        const location = process.env.KUBE_BACKUP_E2E_REPOSITORY;
        if (!location?.startsWith('s3://')) return;
        env = {
          KUBE_BACKUP_REPOSITORY: `${location.replace(/\?.*$/, '')}-s3-faults${location.includes('?') ? location.slice(location.indexOf('?')) : ''}`,
        };
      }
      expect((await suite.work.cli(['repo', 'init'], env)).code).toBe(0);
    });
    afterAll(async () => {
      await s3?.stop();
    });

    it('movers write to and read from S3', async () => {
      if (!env) return;
      await suite.apply(namespace, writer('filler', 'data'));
      await suite.podPhase(namespace, 'filler', 'Succeeded');
      const expected = await suite.checksums(namespace, 'data');
      const created = await suite.work.cli(['create', '-n', namespace, '-o', 'json'], env);
      expect(created.code).toBe(0);
      const snapshot = JSON.parse(created.stdout) as Snapshot;
      expect(snapshot.volumes[0].data).toMatchObject({ status: 'captured', files: 5 });
      const target = await suite.namespace('from-s3');
      const restored = await suite.work.cli(
        [
          'restore',
          snapshot.id,
          '--namespace-mapping',
          `${namespace}:${target}`,
          '--exclude-resources',
          'pods',
        ],
        env,
      );
      expect(restored.code).toBe(0);
      expect(await suite.checksums(target, 'data')).toEqual(expected);
      expect((await suite.work.cli(['verify', '--read-data'], env)).code).toBe(0);
    });

    it('wrong S3 credentials fail in one line before any pod starts', async () => {
      if (!env) return;
      let result = { code: 0, stdout: '', stderr: '' };
      const movers = await moversStartedDuring(namespace, async () => {
        result = await suite.work.cli(['create', '-n', namespace], {
          ...env,
          AWS_ACCESS_KEY_ID: 'NOBODY',
          AWS_SECRET_ACCESS_KEY: 'wrong',
        });
      });
      expect(movers).toEqual([]);
      expect(result.code).toBe(5);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/credentials|access|denied|forbidden|signature/i);
    });
  });
});
