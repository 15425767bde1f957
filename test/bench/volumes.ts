/**
 * Volume data: `kubectl backup create` and `restore` of a claim holding 1 GiB in 10,000
 * files, through data movers on the test cluster's node (fs method: the mover reads the
 * claim itself), against `restic backup`/`restic restore` run directly on a directory with
 * the same files, and against `tar`; then the unchanged second backup, both ways. Medians
 * of RUNS rounds (default 3), each into fresh repositories.
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
import { copyIntoClaimPod } from './volume-fixture';

const root = resolve(__dirname, '../..');
const cli = join(root, 'kubectl-plugin/dist/kubectl-backup');
const files = Number(process.env.FILES ?? 10_000);
const bytes = Number(process.env.BYTES ?? 1024 ** 3);
const rounds = Number(process.env.RUNS ?? 3);
const MiB = 1024 * 1024;

// The test server runs in this process, so children must run asynchronously.
const run = promisify(execFile);

interface Options {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

async function timed(command: string, args: string[], options: Options = {}) {
  const start = process.hrtime.bigint();
  const child = run(command, args, { ...options, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (options.input !== undefined) child.child.stdin?.end(options.input);
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

/** restic's summary line of a `backup --json`: what it added. */
function addedByRestic(stdout: string): number {
  const line =
    stdout
      .split('\n')
      .filter(text => text.includes('"summary"'))
      .pop() ?? '{}';
  return (JSON.parse(line) as { data_added?: number }).data_added ?? NaN;
}

interface Round {
  restic: number;
  tar: number;
  create: number;
  createMover: number;
  resticRestore: number;
  untar: number;
  restore: number;
  restoreMover: number;
  resticSecond: number;
  createSecond: number;
  resticAdded: [number, number];
  moverAdded: [number, number];
  /** Bytes of the volume repository after the first backup and added by the second. */
  repository: [number, number];
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
  const base = {
    ...process.env,
    HOME: work,
    KUBECONFIG: cluster.kubeconfigPath,
    KUBE_BACKUP_PASSWORD: 'benchmark',
  };
  const kubectl = (args: string[], input?: string) => timed('kubectl', args, { env: base, input });
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

  /** One round: direct restic and tar, then kube-backup, each into fresh repositories. */
  async function measure(round: number): Promise<Round> {
    const repository = join(work, `repository-${round}`);
    const env = {
      ...base,
      KUBE_BACKUP_REPOSITORY: `file://${repository}`,
      KUBE_BACKUP_REPOSITORY_NODE_PATH: repository,
    };
    const restic = {
      ...base,
      RESTIC_REPOSITORY: join(work, `restic-${round}`),
      RESTIC_PASSWORD: 'benchmark',
      RESTIC_CACHE_DIR: join(work, `restic-cache-${round}`),
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
    const tarFile = join(work, 'volume.tar');
    const tar = await timed('tar', ['-cf', tarFile, '-C', source, '.']);

    // A first, small backup creates the volume repository (not timed, as restic init is not).
    await timed(cli, ['repo', 'init'], { env });
    await timed(cli, ['create', '-n', 'warmup', '--volumes', 'all'], { env });
    const volumes = join(repository, 'volumes');
    const before = directorySize(volumes);
    const create = [
      'create',
      '-n',
      'bench',
      '--volumes',
      'all',
      '--volume-method',
      'fs',
      '-o',
      'json',
    ];
    const first = await timed(cli, create, { env });
    const afterFirst = directorySize(volumes);
    const second = await timed(cli, create, { env });
    const afterSecond = directorySize(volumes);
    const dataOf = (stdout: string) => {
      const data = (JSON.parse(stdout) as Snapshot).volumes.find(v => v.claim === 'data')?.data;
      if (data?.status !== 'captured') throw new Error(`not captured: ${JSON.stringify(data)}`);
      return data;
    };

    const target = join(work, `restored-${round}`);
    const resticRestore = await timed(
      'restic',
      ['restore', 'latest', '--target', join(target, 'restic')],
      {
        env: restic,
      },
    );
    mkdirSync(join(target, 'tar'), { recursive: true });
    const untar = await timed('tar', ['-xf', tarFile, '-C', join(target, 'tar')]);
    const snapshotId = (JSON.parse(first.stdout) as Snapshot).id;
    const restore = await timed(
      cli,
      [
        'restore',
        snapshotId,
        '--namespace-mapping',
        `bench:restored-${round}`,
        '--exclude-resources',
        'pods',
        '-o',
        'json',
      ],
      { env },
    );
    const restored = (JSON.parse(restore.stdout) as RestoreReport).volumes?.[0];
    if (restored?.outcome !== 'restored')
      throw new Error(`not restored: ${JSON.stringify(restored)}`);
    rmSync(target, { recursive: true, force: true });
    return {
      restic: resticFirst.ms,
      tar: tar.ms,
      create: first.ms,
      createMover: dataOf(first.stdout).durationMs ?? NaN,
      resticRestore: resticRestore.ms,
      untar: untar.ms,
      restore: restore.ms,
      restoreMover: restored.durationMs ?? NaN,
      resticSecond: resticSecond.ms,
      createSecond: second.ms,
      resticAdded: [addedByRestic(resticFirst.stdout), addedByRestic(resticSecond.stdout)],
      moverAdded: [dataOf(first.stdout).addedBytes ?? NaN, dataOf(second.stdout).addedBytes ?? NaN],
      repository: [afterFirst - before, afterSecond - afterFirst],
    };
  }

  try {
    // The claim gets the same files as the source directory, copied by a pod.
    await kubectl(['create', 'namespace', 'bench']);
    await kubectl(['create', 'namespace', 'warmup']);
    await apply('warmup', [claim('small', '1Gi')]);
    await apply('bench', [claim('data', '2Gi'), copyIntoClaimPod(source)]);
    await kubectl([
      'wait',
      '-n',
      'bench',
      'pod/copy',
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=600s',
    ]);
    await kubectl(['delete', 'pod', '-n', 'bench', 'copy']);

    const results: Round[] = [];
    for (let round = 0; round < rounds; round++) results.push(await measure(round));
    const median = (pick: (round: Round) => number) =>
      results.map(pick).sort((a, b) => a - b)[Math.floor(results.length / 2)];
    const m = {
      restic: median(r => r.restic),
      tar: median(r => r.tar),
      create: median(r => r.create),
      createMover: median(r => r.createMover),
      resticRestore: median(r => r.resticRestore),
      untar: median(r => r.untar),
      restore: median(r => r.restore),
      restoreMover: median(r => r.restoreMover),
      resticSecond: median(r => r.resticSecond),
      createSecond: median(r => r.createSecond),
    };
    const last = results[results.length - 1];

    const s = (ms: number) => (ms / 1000).toFixed(1);
    const rate = (ms: number) => ((volumeBytes / MiB / ms) * 1000).toFixed(0);
    const ratio = (ms: number, baseline: number) => `${(ms / baseline).toFixed(2)}x`;
    const version = (await timed('restic', ['version'])).stdout.trim().split(' ')[1];
    console.log(
      `volumes: ${files} files, ${(volumeBytes / MiB).toFixed(0)} MiB of random data; restic ${version}, node ${process.version}, median of ${rounds} rounds`,
    );
    console.log('| run | wall s | MiB/s | vs restic | vs tar |');
    console.log('| --- | --- | --- | --- | --- |');
    const row = (name: string, ms: number, resticMs: number, tarMs: number) =>
      console.log(
        `| ${name} | ${s(ms)} | ${rate(ms)} | ${ratio(ms, resticMs)} | ${ratio(ms, tarMs)} |`,
      );
    row('restic backup (direct, baseline)', m.restic, m.restic, m.tar);
    row('tar -cf', m.tar, m.restic, m.tar);
    row('kubectl backup create (whole command)', m.create, m.restic, m.tar);
    row('  of which the mover', m.createMover, m.restic, m.tar);
    row('restic restore (direct, baseline)', m.resticRestore, m.resticRestore, m.untar);
    row('tar -xf', m.untar, m.resticRestore, m.untar);
    row('kubectl backup restore (whole command)', m.restore, m.resticRestore, m.untar);
    row('  of which the mover', m.restoreMover, m.resticRestore, m.untar);
    const percent = ([first, second]: [number, number]) =>
      `${((second / first) * 100).toFixed(3)}%`;
    console.log(
      '\n| unchanged second backup | wall s | vs restic | bytes added (last round) | % of first |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    console.log(
      `| restic backup (direct) | ${s(m.resticSecond)} | 1.00x | ${last.resticAdded[1]} | ${percent(last.resticAdded)} |`,
    );
    console.log(
      `| kubectl backup create | ${s(m.createSecond)} | ${ratio(m.createSecond, m.resticSecond)} | ${last.moverAdded[1]} | ${percent(last.moverAdded)} |`,
    );
    console.log(
      `\nvolume repository (last round): ${last.repository[0]} bytes after the first backup, ${last.repository[1]} more after the unchanged second = ${percent(last.repository)} (aim < 1%)`,
    );
    console.log(
      `rounds (create / mover / restic, s): ${results.map(r => `${s(r.create)} / ${s(r.createMover)} / ${s(r.restic)}`).join('; ')}`,
    );
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
