import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRepositoryLocation, resolveRepositorySettings } from './settings';

describe('repository settings: flags, then environment, then the config file, then the default', () => {
  let dir: string;
  let configFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-backup-settings-'));
    configFile = join(dir, 'config.yaml');
    await writeFile(
      configFile,
      [
        'repository: s3://from-config/prefix',
        `passwordFile: ${join(dir, 'config-password')}`,
        'repositoryNodePath: /srv/config',
        'moverImage: mirror.example/mover:config',
        'volumes: all',
      ].join('\n'),
    );
    await writeFile(join(dir, 'config-password'), 'from config file\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes everything from the config file when nothing else says', async () => {
    expect(await resolveRepositorySettings({ configFile, env: {} })).toEqual({
      location: 's3://from-config/prefix',
      password: 'from config file',
      nodePath: '/srv/config',
      moverImage: 'mirror.example/mover:config',
      volumes: 'all',
    });
  });

  it('lets the environment win over the config file, and flags over both', async () => {
    const env = {
      KUBE_BACKUP_CONFIG: configFile,
      KUBE_BACKUP_REPOSITORY: 'file:///from/env',
      KUBE_BACKUP_PASSWORD: 'from env',
      KUBE_BACKUP_MOVER_IMAGE: 'env/mover',
      KUBE_BACKUP_VOLUMES: 'none',
    };
    const fromEnv = await resolveRepositorySettings({ env });
    expect(fromEnv).toMatchObject({
      location: 'file:///from/env',
      password: 'from env',
      moverImage: 'env/mover',
      volumes: 'none',
    });
    // The config file's node path belongs to the config file's repository, not another one.
    expect(fromEnv.nodePath).toBeUndefined();

    await writeFile(join(dir, 'flag-password'), 'from flag');
    expect(
      await resolveRepositorySettings({
        env,
        repository: 'file:///from/flag',
        passwordFile: join(dir, 'flag-password'),
        nodePath: '/srv/flag',
        moverImage: 'flag/mover',
      }),
    ).toMatchObject({
      location: 'file:///from/flag',
      password: 'from flag',
      nodePath: '/srv/flag',
      moverImage: 'flag/mover',
    });
  });

  it('defaults to ~/.kube-backup/repository', () => {
    expect(defaultRepositoryLocation('/home/ana')).toBe('file:///home/ana/.kube-backup/repository');
  });

  it('names a config file that is missing, not YAML, or not the expected mapping', async () => {
    const missing = join(dir, 'missing.yaml');
    await expect(
      resolveRepositorySettings({ configFile: missing, env: { KUBE_BACKUP_PASSWORD: 'x' } }),
    ).rejects.toThrow(`cannot read config file ${missing}: ENOENT`);
    await writeFile(configFile, 'repository: [unclosed');
    await expect(
      resolveRepositorySettings({ configFile, env: { KUBE_BACKUP_PASSWORD: 'x' } }),
    ).rejects.toThrow(new RegExp(`^config file ${configFile} is not valid YAML`));
    await writeFile(configFile, 'repository: 7');
    await expect(
      resolveRepositorySettings({ configFile, env: { KUBE_BACKUP_PASSWORD: 'x' } }),
    ).rejects.toThrow(`config file ${configFile}: repository must be a string`);
  });
});
