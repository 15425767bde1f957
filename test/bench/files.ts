/**
 * Single files of a volume: `kubectl backup files ls` of one folder and of the whole volume
 * (-R) in a claim holding FILES files (default 100,000, in folders of 1,000), and `files
 * get` of a BIG_MB file (default 100) from it, against `restic ls --json` and `restic dump`
 * run directly on the same restic snapshot. The claim is filled by a pod and captured by
 * `kubectl backup create` through a mover on the test cluster's node; the timed commands
 * then read the repository on this machine. Medians of RUNS rounds (default 3).
 * Run: yarn bench:files
 */
import '../src/testing/symbol-dispose';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Snapshot } from '@kube-backup/core';
import { dump } from 'js-yaml';
import { NODE_STORAGE, startTestCluster } from '../src/server';
import { copyIntoClaimPod } from './volume-fixture';

const root = resolve(__dirname, '../..');
const cli = join(root, 'kubectl-plugin/dist/kubectl-backup');
const files = Number(process.env.FILES ?? 100_000);
const bigBytes = Number(process.env.BIG_MB ?? 100) * 1024 * 1024;
const rounds = Number(process.env.RUNS ?? 3);
const PER_FOLDER = 1000;
const PASSWORD = 'benchmark';

// The test server runs in this process, so children must run asynchronously.
const run = promisify(execFile);

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const start = process.hrtime.bigint();
  const child = run(command, args, { env, maxBuffer: 1 << 30, encoding: 'buffer' });
  if (input !== undefined) child.child.stdin?.end(input);
  const { stdout } = await child;
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stdout };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-files-'));
  const source = join(work, 'source');
  for (let i = 0; i < files; i++) {
    const dir = join(source, `d${Math.floor(i / PER_FOLDER)}`);
    if (i % PER_FOLDER === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}`), `file ${i}\n`);
  }
  writeFileSync(join(source, 'big.bin'), randomBytes(bigBytes));
  const repository = join(work, 'repository');
  const cluster = await startTestCluster({ node: true });
  const env = {
    ...process.env,
    HOME: work,
    KUBECONFIG: cluster.kubeconfigPath,
    KUBE_BACKUP_PASSWORD: PASSWORD,
    KUBE_BACKUP_REPOSITORY: `file://${repository}`,
    KUBE_BACKUP_REPOSITORY_NODE_PATH: repository,
  };
  const kubectl = (args: string[], input?: string) => timed('kubectl', args, env, input);
  try {
    await kubectl(['create', 'namespace', 'bench']);
    const manifests = [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: NODE_STORAGE.csiStorageClass,
          resources: { requests: { storage: '2Gi' } },
        },
      },
      copyIntoClaimPod(source),
    ];
    await kubectl(['apply', '-n', 'bench', '-f', '-'], manifests.map(m => dump(m)).join('---\n'));
    await kubectl([
      'wait',
      '-n',
      'bench',
      'pod/copy',
      '--for=jsonpath={.status.phase}=Succeeded',
      '--timeout=1200s',
    ]);
    await kubectl(['delete', 'pod', '-n', 'bench', 'copy']);
    await timed(cli, ['repo', 'init'], env);
    const created = await timed(
      cli,
      ['create', '-n', 'bench', '--volumes', 'all', '--volume-method', 'fs', '-o', 'json'],
      env,
    );
    const snapshot = JSON.parse(created.stdout.toString()) as Snapshot;
    const volume = snapshot.volumes.find(v => v.claim === 'data');
    if (!volume?.dataSnapshotId) throw new Error(`not captured: ${JSON.stringify(volume)}`);
    const sid = volume.dataSnapshotId;

    // restic run directly gets the volume repository and its password, as the movers do.
    const { Repository } = await import('@kube-backup/core');
    const opened = await Repository.open(`file://${repository}`, PASSWORD);
    const restic = {
      ...env,
      RESTIC_REPOSITORY: join(repository, 'volumes'),
      RESTIC_PASSWORD: opened.volumeDataPassword(),
    };
    await opened.close();

    const out = join(work, 'out');
    mkdirSync(out);
    const filesArgs = (args: string[]) => [
      'files',
      ...args.slice(0, 1),
      snapshot.id,
      'pvc/data',
      '-n',
      'bench',
      ...args.slice(1),
    ];
    const cases = [
      {
        name: `ls of one folder (${PER_FOLDER} files)`,
        direct: () => timed('restic', ['ls', '--json', sid, '/d0'], restic),
        ours: () => timed(cli, filesArgs(['ls', '/d0', '-o', 'json', '--via', 'local']), env),
      },
      {
        name: `ls -R of the volume (${files + 1} files)`,
        direct: () => timed('restic', ['ls', '--json', '--recursive', sid, '/'], restic),
        ours: () => timed(cli, filesArgs(['ls', '/', '-R', '-o', 'json', '--via', 'local']), env),
      },
      {
        name: `get of a ${bigBytes / 1024 / 1024} MiB file`,
        direct: () => timed('restic', ['dump', sid, '/big.bin'], restic),
        ours: async () => {
          const to = join(out, `big-${randomBytes(4).toString('hex')}.bin`);
          const result = await timed(
            cli,
            filesArgs(['get', '/big.bin', '--to', to, '--via', 'local']),
            env,
          );
          if (statSync(to).size !== bigBytes) throw new Error('short copy');
          rmSync(to);
          return result;
        },
      },
    ];
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const version = (await timed('restic', ['version'], env)).stdout.toString().split(' ')[1];
    console.log(
      `files: a claim of ${files} files in folders of ${PER_FOLDER} and one ${bigBytes / 1024 / 1024} MiB file; restic ${version}, node ${process.version}, median of ${rounds} rounds`,
    );
    console.log('| run | restic direct s | kubectl backup files s | ratio |');
    console.log('| --- | --- | --- | --- |');
    for (const { name, direct, ours } of cases) {
      const directMs: number[] = [];
      const oursMs: number[] = [];
      for (let round = 0; round < rounds; round++) {
        directMs.push((await direct()).ms);
        oursMs.push((await ours()).ms);
      }
      const [d, o] = [median(directMs), median(oursMs)];
      console.log(
        `| ${name} | ${(d / 1000).toFixed(2)} | ${(o / 1000).toFixed(2)} | ${(o / d).toFixed(2)}x |`,
      );
    }
    const open = await timed(cli, ['list', '-o', 'json'], env);
    console.log(
      `\nfor scale: \`kubectl backup list\` (start-up and opening the repository) takes ${(open.ms / 1000).toFixed(2)} s`,
    );
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
