import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Repository, type Snapshot } from '@kube-backup/core';
import { FAST_KDF, startS3Server, type S3TestServer } from '../../shared/src/repository/testing';
import { createWorkspace, startE2eCluster, type E2eCluster, type Workspace } from './harness';

/** Shared object storage, as teams use it: the same commands against an S3 protocol server. */
describe('kubectl backup with an S3 repository', () => {
  let cluster: E2eCluster;
  let work: Workspace;
  let s3: S3TestServer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    s3 = await startS3Server(join(work.dir, 's3'), ['backups']);
    env = {
      KUBE_BACKUP_REPOSITORY: `s3://backups/team-a?endpoint=${s3.endpoint}&region=us-east-1&forcePathStyle=true`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    };
  });
  afterAll(async () => {
    await s3?.stop();
    await work?.cleanup();
    await cluster?.stop();
  });

  it('initialises, backs up, lists, shows, verifies and prunes through S3', async () => {
    // `repo init` through S3 (its memory-hard key derivation costs each later command
    // about a second, so the rest runs against a repository with a cheap one).
    const init = await work.cli(['repo', 'init'], {
      ...env,
      KUBE_BACKUP_REPOSITORY: env.KUBE_BACKUP_REPOSITORY!.replace('/team-a?', '/team-init?'),
    });
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^created repository [0-9a-f]{8} at s3:\/\/backups\/team-init/);
    const repository = await Repository.init(
      env.KUBE_BACKUP_REPOSITORY!,
      work.env.KUBE_BACKUP_PASSWORD!,
      {
        kdf: FAST_KDF,
        cacheDir: false,
        backend: { s3: { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } },
      },
    );
    await repository.close();
    const first = await work.cli(['create', '-n', 'shop', '-o', 'json'], env);
    expect(first.code).toBe(0);
    const snapshot = JSON.parse(first.stdout) as Snapshot;
    const second = JSON.parse(
      (await work.cli(['create', '-n', 'shop', '-o', 'json'], env)).stdout,
    ) as Snapshot;
    expect(second.stats.newBytes).toBeLessThan(snapshot.stats.newBytes * 0.01);

    const listed = JSON.parse((await work.cli(['list', '-o', 'json'], env)).stdout) as Snapshot[];
    expect(listed.map(s => s.id).sort()).toEqual([snapshot.id, second.id].sort());
    const shown = await work.cli(
      ['get', snapshot.id.slice(0, 8), 'deployment/storefront', '-n', 'shop', '-o', 'json'],
      env,
    );
    expect(JSON.parse(shown.stdout).metadata.name).toBe('storefront');
    expect((await work.cli(['verify'], env)).code).toBe(0);
    expect((await work.cli(['prune', '--keep-last', '1'], env)).code).toBe(0);
    expect(JSON.parse((await work.cli(['list', '-o', 'json'], env)).stdout)).toHaveLength(1);

    // What the object store holds is encrypted: no Secret value is readable in it.
    const secret = JSON.parse(
      (
        await work.cli(
          ['get', 'latest', 'secret/storefront-secrets', '-n', 'shop', '-o', 'json'],
          env,
        )
      ).stdout,
    );
    const values = Object.values(secret.data as Record<string, string>).map(value =>
      Buffer.from(value, 'base64'),
    );
    const files = (
      await readdir(join(work.dir, 's3'), { recursive: true, withFileTypes: true })
    ).filter(entry => entry.isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const content = await readFile(join(file.parentPath, file.name));
      for (const value of values) expect(content.includes(value)).toBe(false);
    }
  });

  it('names a wrong bucket or bad credentials in one line', async () => {
    const missing = await work.cli(['list'], {
      ...env,
      KUBE_BACKUP_REPOSITORY: `s3://nobucket/x?endpoint=${s3.endpoint}&region=us-east-1&forcePathStyle=true`,
    });
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const denied = await work.cli(['list'], {
      ...env,
      AWS_ACCESS_KEY_ID: 'NOBODY',
      AWS_SECRET_ACCESS_KEY: 'wrong',
    });
    expect(denied.stderr).toMatch(/credentials|access|denied|forbidden/i);
    expect(denied.code).toBe(5);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
  });
});
