import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Repository, type Snapshot } from '@kube-backup/core';
import { FAST_KDF, startS3Server, type S3TestServer } from '../../shared/src/repository/testing';
import {
  CLI,
  createWorkspace,
  errorLines,
  kubectl,
  runCli,
  startE2eCluster,
  type CliResult,
  type E2eCluster,
  type Workspace,
} from './harness';

/** Runs the CLI with a umask that lets every new file be world-readable and writable. */
function cliUnderOpenUmask(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runCli(['-c', `umask 000 && exec "${CLI}" "$@"`, 'sh', ...args], env, '/bin/sh');
}

/** Every file and folder under a directory, with its permission bits. */
async function modes(dir: string): Promise<Array<{ path: string; dir: boolean; mode: number }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.map(async entry => {
      const path = join(entry.parentPath, entry.name);
      return { path, dir: entry.isDirectory(), mode: (await stat(path)).mode & 0o777 };
    }),
  );
}

const expectPrivate = async (dir: string) => {
  expect((await stat(dir)).mode & 0o777).toBe(0o700);
  const found = await modes(dir);
  expect(found.length).toBeGreaterThan(0);
  for (const { path, dir: isDir, mode } of found) {
    expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: isDir ? '700' : '600' });
  }
};

/**
 * The repository and selection safeguards: private files whatever the umask, a key
 * derivation with a floor, selections that are contradictory or match nothing, damaged
 * snapshot documents, and backups that meet a prune.
 */
describe('kubectl backup: repository and selection safety', () => {
  let cluster: E2eCluster;
  let work: Workspace;

  const repositoryDir = () => work.repository.replace(/^file:\/\//, '');
  const snapshots = async () =>
    JSON.parse((await work.cli(['list', '-o', 'json'])).stdout) as Snapshot[];

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  describe('files and keys', () => {
    it('repo init writes a private repository whatever the umask and says which key derivation it chose', async () => {
      const fresh = await createWorkspace(cluster.kubeconfig);
      try {
        const directory = fresh.repository.replace(/^file:\/\//, '');
        const init = await cliUnderOpenUmask(['repo', 'init'], fresh.env);
        expect(init.stderr).toBe('');
        expect(init.code).toBe(0);
        expect(init.stdout).toMatch(/key derivation: scrypt N=2\^(1[7-9]|20), r=8, p=1 \(\d+ MiB/);
        const config = JSON.parse(await readFile(join(directory, 'config'), 'utf8')) as {
          kdf: { N: number };
        };
        expect(config.kdf.N).toBeGreaterThanOrEqual(1 << 17);
        await expectPrivate(directory);

        const created = await cliUnderOpenUmask(['create', '-n', 'shop'], fresh.env);
        expect(created.code).toBe(0);
        await expectPrivate(directory);
      } finally {
        await fresh.cleanup();
      }
    });

    it('keeps the snapshot cache of an S3 repository private too', async () => {
      let s3: S3TestServer | undefined;
      try {
        s3 = await startS3Server(join(work.dir, 's3'), ['backups']);
        const env: NodeJS.ProcessEnv = {
          ...work.env,
          KUBE_BACKUP_REPOSITORY: `s3://backups/private?endpoint=${s3.endpoint}&region=us-east-1&forcePathStyle=true`,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
        };
        const repository = await Repository.init(
          env.KUBE_BACKUP_REPOSITORY!,
          env.KUBE_BACKUP_PASSWORD!,
          {
            kdf: FAST_KDF,
            cacheDir: false,
            backend: { s3: { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } },
          },
        );
        await repository.close();
        expect((await cliUnderOpenUmask(['create', '-n', 'shop'], env)).code).toBe(0);
        expect((await cliUnderOpenUmask(['list'], env)).code).toBe(0);
        await expectPrivate(join(work.dir, '.cache', 'kube-backup'));
      } finally {
        await s3?.stop();
      }
    });
  });

  describe('selections', () => {
    it.each([
      [['-n', 'shop', '--exclude-namespaces', 'shop'], /--exclude-namespaces/],
      [['--include-namespaces', 'shop', '--exclude-namespaces', 'shop'], /--exclude-namespaces/],
      [['-n', 'payments', '--include-namespaces', 'shop'], /-n.*--include-namespaces/],
      [
        ['-n', 'shop', '--include-resources', 'configmaps', '--exclude-resources', 'cm'],
        /configmaps/,
      ],
    ])('refuses contradictory or ineffective flags: create %j', async (args, pattern) => {
      const before = (await snapshots()).length;
      const result = await work.cli(['create', ...args]);
      expect(result.code).toBe(1);
      expect(errorLines(result)).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
      expect(await snapshots()).toHaveLength(before);
    });

    it('refuses -A with an excluded namespace that does not exist (a typo would back it up)', async () => {
      const result = await work.cli(['create', '-A', '--exclude-namespaces', 'kube-sytem']);
      expect(result.code).toBe(3);
      expect(errorLines(result)).toEqual([expect.stringContaining('"kube-sytem"')]);
    });

    it('a selection that matches nothing is an error, not an empty snapshot', async () => {
      await kubectl(cluster.kubeconfig, ['create', 'namespace', 'empty-e2e']);
      const before = (await snapshots()).length;
      for (const args of [
        ['-n', 'empty-e2e'],
        ['-n', 'shop', '-l', 'app.kubernetes.io/name=no-such-app'],
      ]) {
        const result = await work.cli(['create', ...args]);
        expect(result.code).toBe(3);
        expect(errorLines(result)).toEqual([expect.stringMatching(/matches nothing/)]);
      }
      expect(await snapshots()).toHaveLength(before);
    });
  });

  describe('damaged snapshot documents', () => {
    it('list and latest leave a damaged document out and name it', async () => {
      const older = JSON.parse(
        (await work.cli(['create', 'older', '-n', 'shop', '-o', 'json'])).stdout,
      ) as Snapshot;
      const newer = JSON.parse(
        (await work.cli(['create', 'newer', '-n', 'shop', '-o', 'json'])).stdout,
      ) as Snapshot;
      const file = join(repositoryDir(), 'snapshots', newer.id);
      const bytes = await readFile(file);
      bytes[bytes.length - 3] ^= 0xff;
      await writeFile(file, bytes);

      const list = await work.cli(['list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(older.id.slice(0, 8));
      expect(list.stdout).not.toContain(newer.id.slice(0, 8));
      expect(list.stderr).toMatch(new RegExp(`warning: snapshot ${newer.id.slice(0, 8)}.*damaged`));

      const latest = await work.cli(['describe', 'latest', '-o', 'json']);
      expect(latest.code).toBe(0);
      expect((JSON.parse(latest.stdout) as Snapshot).id).toBe(older.id);
      expect(latest.stderr).toMatch(new RegExp(`warning: snapshot ${newer.id.slice(0, 8)}`));
    });
  });

  describe('a backup that meets a prune', () => {
    it('waits for the lock up to --lock-wait and then fails naming the holder', async () => {
      const repository = await Repository.open(work.repository, work.env.KUBE_BACKUP_PASSWORD!);
      const lock = await repository.lock('exclusive', 'prune');
      try {
        const before = (await snapshots()).length;
        const result = await work.cli(['create', '-n', 'shop', '--lock-wait', '1s']);
        expect(result.code).toBe(6);
        expect(result.stderr).toMatch(/waiting for the repository lock/);
        expect(errorLines(result)).toEqual([
          expect.stringMatching(/locked by prune on host .*waited 1s.*--lock-wait/),
        ]);
        expect(await snapshots()).toHaveLength(before);
      } finally {
        await lock.release();
        await repository.close();
      }
    });

    it('goes ahead once the prune releases the lock', async () => {
      const repository = await Repository.open(work.repository, work.env.KUBE_BACKUP_PASSWORD!);
      const lock = await repository.lock('exclusive', 'prune');
      const before = (await snapshots()).length;
      const child = spawn(CLI, ['create', '-n', 'shop', '--lock-wait', '10m'], { env: work.env });
      let stderr = '';
      const exited = new Promise<number>(resolve => child.on('exit', code => resolve(code ?? 1)));
      try {
        await new Promise<void>(resolve =>
          child.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stderr.includes('waiting for the repository lock')) resolve();
          }),
        );
        expect(stderr).toMatch(/held by prune on host/);
      } finally {
        await lock.release();
        await repository.close();
      }
      expect(await exited).toBe(0);
      expect(await snapshots()).toHaveLength(before + 1);
    });
  });
});
