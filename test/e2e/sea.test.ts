import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Snapshot } from '@kube-backup/core';
import {
  createWorkspace,
  kubectl,
  ROOT,
  startE2eCluster,
  type CliResult,
  type E2eCluster,
  type Workspace,
} from './harness';

const run = promisify(execFile);

/**
 * The one-file kubectl-backup for linux-x64 (a Node single-executable application built by
 * scripts/sea.mjs, as the release ships it) on a PATH without Node: it backs a namespace up,
 * lists the snapshot, and restores what was lost — also when kubectl runs it as a plugin.
 */
describe('kubectl-backup as a single executable, without Node on PATH', () => {
  let dir: string;
  let bin: string;
  let cluster: E2eCluster;
  let work: Workspace;

  const sea = (args: string[], command = join(bin, 'kubectl-backup')): Promise<CliResult> =>
    new Promise(done => {
      // Only the executable, kubectl and sync (which the local repository uses) are on PATH.
      const env = { ...work.env, PATH: bin };
      execFile(command, args, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
      );
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-backup-sea-'));
    await run(process.execPath, ['scripts/sea.mjs', '--platform', 'linux-x64', '--out', dir], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(join(dir, 'linux-x64/kubectl-backup'), join(bin, 'kubectl-backup'));
    for (const tool of ['kubectl', 'sync']) {
      const { stdout } = await run('bash', ['-c', `command -v ${tool}`]);
      await symlink(stdout.trim(), join(bin, tool));
    }
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
  }, 300_000);

  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has no node to fall back on', async () => {
    expect(await readdir(bin)).toEqual(['kubectl', 'kubectl-backup', 'sync']);
    expect(existsSync(join(bin, 'node'))).toBe(false);
    const result = await sea(['--version']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('creates, lists and restores a snapshot', async () => {
    expect(await sea(['repo', 'init'])).toMatchObject({ code: 0 });
    const created = await sea(['create', '-n', 'shop', '--tag', 'sea', '-o', 'json']);
    expect(created.stderr).not.toMatch(/error/i);
    expect(created.code).toBe(0);
    const snapshot = JSON.parse(created.stdout) as Snapshot;
    expect(snapshot.counts.objects).toBeGreaterThan(10);

    const listed = await sea(['list', '--tag', 'sea']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(snapshot.id.slice(0, 8));

    await kubectl(cluster.kubeconfig, ['delete', 'configmap', 'storefront-config', '-n', 'shop']);
    const restored = await sea(['restore', snapshot.id, '--include-namespaces', 'shop']);
    expect(restored.stderr).not.toMatch(/error|warning/i);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/ConfigMap\s+shop\s+storefront-config\s+created/);
    const back = await kubectl(cluster.kubeconfig, [
      'get',
      'cm/storefront-config',
      '-n',
      'shop',
      '-o',
      'name',
    ]);
    expect(back.trim()).toBe('configmap/storefront-config');
  });

  it('runs as a kubectl plugin', async () => {
    const listed = await sea(
      ['backup', 'list', '--tag', 'sea', '-o', 'json'],
      join(bin, 'kubectl'),
    );
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  });
});
