import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './fail';
import { readRepositoryPassword } from './password';

describe('readRepositoryPassword', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'kube-backup-password-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads KUBE_BACKUP_PASSWORD, then KUBE_BACKUP_PASSWORD_FILE; a passed file wins', async () => {
    const file = join(dir, 'pw');
    await writeFile(file, 'from-file\n');
    const other = join(dir, 'other');
    await writeFile(other, 'from-option\r\n');
    expect(await readRepositoryPassword({ env: { KUBE_BACKUP_PASSWORD: 'from-env' } })).toBe(
      'from-env',
    );
    expect(await readRepositoryPassword({ env: { KUBE_BACKUP_PASSWORD_FILE: file } })).toBe(
      'from-file',
    );
    expect(
      await readRepositoryPassword({
        env: { KUBE_BACKUP_PASSWORD: 'from-env' },
        passwordFile: other,
      }),
    ).toBe('from-option');
    // Only one trailing newline is stripped; inner whitespace is part of the password.
    await writeFile(file, ' two words \n\n');
    expect(await readRepositoryPassword({ env: {}, passwordFile: file })).toBe(' two words \n');
  });

  it('says how to provide a password when there is none', async () => {
    const error = await readRepositoryPassword({ env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({
      message:
        'no repository password: set KUBE_BACKUP_PASSWORD or KUBE_BACKUP_PASSWORD_FILE, or pass --password-file',
    });
  });

  it('names an unreadable or empty password file without showing any content', async () => {
    const missing = join(dir, 'missing');
    await expect(readRepositoryPassword({ env: {}, passwordFile: missing })).rejects.toMatchObject({
      message: `cannot read password file ${missing} (ENOENT)`,
    });
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    await expect(readRepositoryPassword({ env: {}, passwordFile: empty })).rejects.toMatchObject({
      message: 'the repository password is empty',
    });
  });
});
