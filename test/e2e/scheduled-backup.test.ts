/**
 * The README's scheduled backup, as written: its ServiceAccount, read-everything role and
 * CronJob applied, and one run of the CronJob (`kubectl create job --from=cronjob/…`)
 * in the CLI image, in-cluster with the service account's token, leaves a snapshot of the
 * namespace in the repository that this machine lists and reads.
 *
 * What differs from the README is what differs between clusters: the namespaces (the
 * suite's own), the cluster-wide role's name (one per run), and the repository (the
 * suite's: a folder the node mounts, whose folders are root's, or an S3 location).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import type { Snapshot } from '@kube-backup/core';
import { must } from '../src/testing/pod-cluster';
import { startVolumeSuite, type VolumeSuite } from './volume-harness';

const README = resolve(__dirname, '../../README.md');

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Array<{
    image: string;
    args: string[];
    env: EnvVar[];
    volumeMounts?: object[];
  }>;
  volumes?: object[];
}
interface JobStatus {
  status?: {
    succeeded?: number;
    failed?: number;
    conditions?: Array<{ type: string; status: string }>;
  };
}

/** The manifest of the README's "Scheduled backups in the cluster". */
async function readmeManifests(): Promise<Manifest[]> {
  const readme = await readFile(README, 'utf8');
  const section = readme.slice(readme.indexOf('## Scheduled backups in the cluster'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!yaml) throw new Error('README.md: no yaml block under "Scheduled backups in the cluster"');
  return loadAll(yaml) as Manifest[];
}

let suite: VolumeSuite;
let clusterRole: string;

beforeAll(async () => {
  suite = await startVolumeSuite('scheduled');
}, 120_000);

afterAll(async () => {
  if (clusterRole)
    await suite?.cluster.kubectl(['delete', 'clusterrole,clusterrolebinding', clusterRole]);
  await suite?.stop();
});

test('the README’s CronJob, run once, backs up its namespace in-cluster with the CLI image', async () => {
  const { cluster, work } = suite;
  const shop = await suite.namespace('shop');
  const backupNamespace = await suite.namespace('kube-backup');
  await suite.apply(shop, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings' },
    data: { mode: 'fast' },
  });

  const manifests = await readmeManifests();
  expect(manifests.map(m => m.kind)).toEqual([
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'CronJob',
  ]);
  clusterRole = `kube-backup-reader-${backupNamespace}`;
  for (const manifest of manifests) {
    if (manifest.metadata.namespace === 'kube-backup')
      manifest.metadata.namespace = backupNamespace;
    if (manifest.kind === 'ClusterRole') manifest.metadata.name = clusterRole;
    if (manifest.kind === 'ClusterRoleBinding') {
      manifest.metadata.name = clusterRole;
      (manifest.roleRef as { name: string }).name = clusterRole;
      for (const subject of manifest.subjects as Array<{ namespace: string }>)
        subject.namespace = backupNamespace;
    }
  }
  const cronJob = manifests.find(m => m.kind === 'CronJob')!;
  const pod = (cronJob.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } })
    .jobTemplate.spec.template.spec;
  const container = pod.containers[0];
  expect(container.image).toBe('docker.io/kube-backup/cli:latest');
  container.args = container.args.map(arg => (arg === 'shop' ? shop : arg));
  const repository = container.env.find(e => e.name === 'KUBE_BACKUP_REPOSITORY')!;
  const nodePath = work.env.KUBE_BACKUP_REPOSITORY_NODE_PATH;
  if (nodePath) {
    repository.value = 'file:///repository';
    container.volumeMounts = [{ name: 'repository', mountPath: '/repository' }];
    pod.volumes = [{ name: 'repository', hostPath: { path: nodePath, type: 'Directory' } }];
    // The repository's folders are root's and 0700; an S3 repository takes any user.
    pod.securityContext = { runAsUser: 0 };
  } else repository.value = work.env.KUBE_BACKUP_REPOSITORY;

  await must(
    cluster.kubectl([
      '-n',
      backupNamespace,
      'create',
      'secret',
      'generic',
      'kube-backup',
      `--from-literal=password=${work.env.KUBE_BACKUP_PASSWORD}`,
      `--from-literal=aws-access-key-id=${process.env.AWS_ACCESS_KEY_ID ?? ''}`,
      `--from-literal=aws-secret-access-key=${process.env.AWS_SECRET_ACCESS_KEY ?? ''}`,
    ]),
  );
  await suite.apply(backupNamespace, ...manifests);
  await must(
    cluster.kubectl([
      '-n',
      backupNamespace,
      'create',
      'job',
      'backup-now',
      '--from=cronjob/kube-backup-shop',
    ]),
  );
  let job: JobStatus;
  for (;;) {
    job = JSON.parse(
      await must(
        cluster.kubectl(['-n', backupNamespace, 'get', 'job', 'backup-now', '-o', 'json']),
      ),
    ) as JobStatus;
    if ((job.status?.succeeded ?? 0) + (job.status?.failed ?? 0) > 0) break;
    await cluster.kubectl([
      '-n',
      backupNamespace,
      'wait',
      'job/backup-now',
      '--for=condition=complete',
      '--timeout=5s',
    ]);
  }
  const logs = await must(cluster.kubectl(['-n', backupNamespace, 'logs', 'job/backup-now']));
  expect({ succeeded: job.status?.succeeded, logs }).toEqual({ succeeded: 1, logs });

  const listed = await work.cli(['list', '-o', 'json']);
  expect(listed.stderr).toBe('');
  const snapshots = JSON.parse(listed.stdout) as Snapshot[];
  expect(snapshots).toHaveLength(1);
  const [snapshot] = snapshots;
  expect(snapshot).toMatchObject({
    name: 'nightly',
    tags: ['scheduled'],
    namespaces: [shop],
    status: 'complete',
  });
  // The job's output names the snapshot it made.
  expect(logs).toContain(snapshot.id.slice(0, 8));
  const settings = await work.cli([
    'get',
    snapshot.id.slice(0, 8),
    'configmap/settings',
    '-n',
    shop,
    '-o',
    'json',
  ]);
  expect(settings.code).toBe(0);
  expect(JSON.parse(settings.stdout)).toMatchObject({ data: { mode: 'fast' } });
}, 300_000);
