/**
 * Volume data: `kubectl backup create` and `restore` of a claim holding 1 GiB in 10,000
 * files, through data movers on the test cluster's node (fs method: the mover reads the
 * claim itself), against `restic backup`/`restic restore` run directly on a directory with
 * the same files, and against `tar`. Then the unchanged second backup, both ways.
 * Run: yarn bench:volumes (FILES and BYTES change the volume).
 */
import '../src/testing/symbol-dispose';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RestoreReport, Snapshot } from '@kube-backup/core';
import { dump } from 'js-yaml';
import { NODE_STORAGE, startTestCluster } from '../src/server';
import { IMAGES } from '../src/testing/pod-cluster';

const root = resolve(__dirname, '../..');
const cli = join(root, 'kubectl-plugin/dist/kubectl-backup');
const files = Number(process.env.FILES ?? 10_000);
const bytes = Number(process.env.BYTES ?? 1024 ** 3);
const MiB = 1024 * 1024;

// The test server runs in this process, so children must run asynchronously.
const run = promisify(execFile);

async function timed(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
) {
  const start = process.hrtime.bigint();
  const child = run(command, args, {
    env: options.env,
    cwd: options.cwd,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stdout };
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-volumes-'));
  const source = join(work, 'source');
  mkdirSync(source);
  const perFile = Math.floor(bytes / files);
  for (let i = 0; i < files; i++) {
    const dir = join(source, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir);
    writeFileSync(join(dir, `f${i}`), randomBytes(perFile));
  }
  const volumeBytes = perFile * files;
  const cluster = await startTestCluster({ node: true });
  const repository = join(work, 'repository');
  const env = {
    ...process.env,
    HOME: work,
    KUBECONFIG: cluster.kubeconfigPath,
    KUBE_BACKUP_REPOSITORY: `file://${repository}`,
    KUBE_BACKUP_REPOSITORY_NODE_PATH: repository,
    KUBE_BACKUP_PASSWORD: 'benchmark',
  };
  const kubectl = (args: string[], input?: string) => timed('kubectl', args, { env, input });
  const apply = (namespace: string, manifests: object[]) =>
    kubectl(['apply', '-n', namespace, '-f', '-'], manifests.map(m => dump(m)).join('---\n'));
  const claim = (name: string, size: string) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: NODE_STORAGE.csiStorageClass,
      resources: { requests: { storage: size } },
    },
  });
  try {
    // The claim gets the same files as the source directory, copied by a pod.
    await kubectl(['create', 'namespace', 'bench']);
    await kubectl(['create', 'namespace', 'warmup']);
    await apply('bench', [
      claim('data', '2Gi'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'copy' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'copy',
              image: IMAGES.testApp,
              command: ['cp', '-a', '/source/.', '/data/'],
              volumeMounts: [
                { name: 'source', mountPath: '/source', readOnly: true },
                { name: 'data', mountPath: '/data' },
              ],
            },
          ],
          volumes: [
            { name: 'source', hostPath: { path: source, type: 'Directory' } },
            { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          ],
        },
      },
    ]);
    await kubectl([
      'wait',
      '-n',
      'bench',
      'pod/copy',
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=600s',
    ]);
    await kubectl(['delete', 'pod', '-n', 'bench', 'copy']);
    // A first, small backup creates the volume repository and warms the mover image.
    await apply('warmup', [claim('small', '1Gi')]);
    await timed(cli, ['repo', 'init'], { env });
    await timed(cli, ['create', '-n', 'warmup', '--volumes', 'all'], { env });

    // Direct restic and tar on the source directory.
    const restic = {
      ...env,
      RESTIC_REPOSITORY: join(work, 'restic'),
      RESTIC_PASSWORD: 'benchmark',
      RESTIC_CACHE_DIR: join(work, 'restic-cache'),
    };
    await timed('restic', ['init'], { env: restic });
    const resticFirst = await timed('restic', ['backup', '--json', '.'], {
      env: restic,
      cwd: source,
    });
    const resticSecond = await timed('restic', ['backup', '--json', '.'], {
      env: restic,
      cwd: source,
    });
    const summary = (text: string) =>
      JSON.parse(
        text
          .trim()
          .split('\n')
          .filter(line => line.includes('"summary"'))
          .pop() ?? '{}',
      ) as { data_added?: number };
    const tarFile = join(work, 'volume.tar');
    const tarBackup = await timed('tar', ['-cf', tarFile, '-C', source, '.']);

    // kube-backup through a mover.
    const before = directorySize(join(repository, 'volumes'));
    const first = await timed(
      cli,
      ['create', '-n', 'bench', '--volumes', 'all', '--volume-method', 'fs', '-o', 'json'],
      { env },
    );
    const afterFirst = directorySize(join(repository, 'volumes'));
    const second = await timed(
      cli,
      ['create', '-n', 'bench', '--volumes', 'all', '--volume-method', 'fs', '-o', 'json'],
      { env },
    );
    const afterSecond = directorySize(join(repository, 'volumes'));
    const volumeOf = (stdout: string) =>
      (JSON.parse(stdout) as Snapshot).volumes.find(v => v.claim === 'data')?.data;
    const firstData = volumeOf(first.stdout);
    const secondData = volumeOf(second.stdout);
    if (firstData?.status !== 'captured' || secondData?.status !== 'captured') {
      throw new Error(`the volume was not captured: ${JSON.stringify(firstData ?? secondData)}`);
    }

    // Restores: restic and tar into empty directories, kube-backup into a new namespace.
    const resticRestore = await timed(
      'restic',
      ['restore', 'latest', '--target', join(work, 'restic-restored')],
      { env: restic },
    );
    mkdirSync(join(work, 'tar-restored'));
    const tarRestore = await timed('tar', ['-xf', tarFile, '-C', join(work, 'tar-restored')]);
    const snapshotId = (JSON.parse(first.stdout) as Snapshot).id;
    const restore = await timed(
      cli,
      [
        'restore',
        snapshotId,
        '--namespace-mapping',
        'bench:restored',
        '--exclude-resources',
        'pods',
        '-o',
        'json',
      ],
      { env },
    );
    const restored = (JSON.parse(restore.stdout) as RestoreReport).volumes?.[0];
    if (restored?.outcome !== 'restored')
      throw new Error(`the volume was not restored: ${JSON.stringify(restored)}`);

    const s = (ms: number) => (ms / 1000).toFixed(1);
    const rate = (ms: number) => ((volumeBytes / MiB / ms) * 1000).toFixed(0);
    const ratio = (ms: number, base: number) => `${(ms / base).toFixed(2)}x`;
    console.log(
      `volumes: ${files} files, ${(volumeBytes / MiB).toFixed(0)} MiB of random data; restic ${(await timed('restic', ['version'])).stdout.trim().split(' ')[1]}, node ${process.version}, one run`,
    );
    console.log('| run | wall s | MiB/s | vs restic | vs tar |');
    console.log('| --- | --- | --- | --- | --- |');
    const row = (name: string, ms: number, resticMs: number, tarMs?: number) =>
      console.log(
        `| ${name} | ${s(ms)} | ${rate(ms)} | ${ratio(ms, resticMs)} | ${tarMs ? ratio(ms, tarMs) : ''} |`,
      );
    row('restic backup (direct, baseline)', resticFirst.ms, resticFirst.ms, tarBackup.ms);
    row('tar -cf', tarBackup.ms, resticFirst.ms, tarBackup.ms);
    row('kubectl backup create (whole command)', first.ms, resticFirst.ms, tarBackup.ms);
    row('  of which the mover', firstData.durationMs ?? 0, resticFirst.ms, tarBackup.ms);
    row('restic restore (direct, baseline)', resticRestore.ms, resticRestore.ms, tarRestore.ms);
    row('tar -xf', tarRestore.ms, resticRestore.ms, tarRestore.ms);
    row('kubectl backup restore (whole command)', restore.ms, resticRestore.ms, tarRestore.ms);
    row('  of which the mover', restored.durationMs ?? 0, resticRestore.ms, tarRestore.ms);
    console.log('\n| unchanged second backup | wall s | vs restic | added bytes | % of first |');
    console.log('| --- | --- | --- | --- | --- |');
    const added = (value: number | undefined, base: number | undefined) =>
      `${value ?? '?'} | ${value !== undefined && base ? ((value / base) * 100).toFixed(3) : '?'}%`;
    console.log(
      `| restic backup (direct) | ${s(resticSecond.ms)} | 1.00x | ${added(summary(resticSecond.stdout).data_added, summary(resticFirst.stdout).data_added)} |`,
    );
    console.log(
      `| kubectl backup create | ${s(second.ms)} | ${ratio(second.ms, resticSecond.ms)} | ${added(secondData.addedBytes, firstData.addedBytes)} |`,
    );
    console.log(
      `\nvolume repository: ${afterFirst - before} bytes after the first backup, ${afterSecond - afterFirst} more after the unchanged second = ${(((afterSecond - afterFirst) / (afterFirst - before)) * 100).toFixed(3)}% (aim < 1%)`,
    );
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
