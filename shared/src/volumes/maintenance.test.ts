import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Repository } from '../repository/repository';
import { FAST_KDF, snapshotDoc, tempDir } from '../repository/testing';
import type { VolumeRecord } from '../snapshot/types';
import { pruneVolumeData, verifyVolumeData } from './maintenance';
import { resticLocationOf } from './restic-location';
import { runRestic, type ResticRepository } from './restic';
import type { ResticEvent } from './restic-output';
import { parseRepositoryLocation } from '../repository/storage/location';

/** Real restic on local folders: the volume repository as movers and maintenance use it. */
describe('volume data in a restic repository beside the object repository', () => {
  let dir: { path: string; remove(): Promise<void> };
  let repository: Repository;
  let restic: ResticRepository;
  let location: string;

  beforeEach(async () => {
    dir = await tempDir();
    location = `file://${join(dir.path, 'repo')}`;
    repository = await Repository.init(location, 'correct horse', { kdf: FAST_KDF });
    restic = {
      location: resticLocationOf(parseRepositoryLocation(location)),
      password: repository.volumeDataPassword(),
    };
    await runRestic(restic, ['init']);
  });
  afterEach(async () => {
    await repository.close();
    await dir.remove();
  });

  async function fill(name: string, files: number, bytes: number): Promise<string> {
    const folder = join(dir.path, name);
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < files; i++) await writeFile(join(folder, `file-${i}`), randomBytes(bytes));
    return folder;
  }

  async function backup(folder: string, host = 'test/shop/data') {
    const events: ResticEvent[] = [];
    const result = await runRestic(restic, ['backup', '--host', host, '.'], {
      cwd: folder,
      onEvent: event => events.push(event),
    });
    const summary = result.events.find(event => event.type === 'summary');
    if (summary?.type !== 'summary') throw new Error('no summary');
    const { events: listed } = await runRestic(restic, [
      'snapshots',
      '--latest',
      '1',
      '--host',
      host,
    ]);
    const id = listed.flatMap(e => (e.type === 'snapshots' ? e.snapshots.map(s => s.id) : []))[0];
    return { summary, id, events };
  }

  async function saveSnapshotWith(volumes: VolumeRecord[]) {
    await repository.saveSnapshot(snapshotDoc({ recordLists: [], volumes }));
    await repository.endWriteSession();
  }

  it('derives its password from the master key: stable, one per repository, kept across password changes', async () => {
    const password = repository.volumeDataPassword();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    const again = await Repository.open(location, 'correct horse');
    expect(again.volumeDataPassword()).toBe(password);
    await again.changePassword('battery staple', { kdf: FAST_KDF });
    await again.close();
    const changed = await Repository.open(location, 'battery staple');
    expect(changed.volumeDataPassword()).toBe(password);
    await changed.close();
    const other = await Repository.init(join(dir.path, 'other'), 'correct horse', {
      kdf: FAST_KDF,
    });
    expect(other.volumeDataPassword()).not.toBe(password);
    await other.close();
    await expect(runRestic({ ...restic, password: 'guess' }, ['snapshots'])).rejects.toThrow(
      /wrong password/,
    );
  });

  it('reports progress and a summary, and an unchanged second backup adds under 1% of the first', async () => {
    const folder = await fill('data', 40, 256 * 1024);
    const first = await backup(folder);
    expect(first.summary).toMatchObject({ files: 40, bytes: 40 * 256 * 1024 });
    expect(first.summary.addedBytes).toBeGreaterThan(40 * 256 * 1024 * 0.9);
    expect(first.events.some(event => event.type === 'status')).toBe(true);
    const second = await backup(folder);
    expect(second.summary.files).toBe(40);
    expect(second.summary.addedBytes ?? Infinity).toBeLessThan(
      (first.summary.addedBytes ?? 0) * 0.01,
    );
    expect(second.id).not.toBe(first.id);
  });

  it('verify checks the volume repository and that every captured volume is in it', async () => {
    const folder = await fill('data', 3, 4096);
    const { id } = await backup(folder);
    await saveSnapshotWith([
      { namespace: 'shop', claim: 'data', dataSnapshotId: id, data: { status: 'captured' } },
      {
        namespace: 'shop',
        claim: 'gone',
        dataSnapshotId: 'f'.repeat(64),
        data: { status: 'captured' },
      },
    ]);
    const report = await verifyVolumeData(repository, location, { readData: true });
    expect(report).toMatchObject({ ok: false, readData: true, checked: 2 });
    expect(report?.problems).toEqual([
      expect.stringMatching(
        /^volume data of shop\/gone in snapshot [0-9a-f]{8} is missing \(restic snapshot ffffffff\)$/,
      ),
    ]);

    // Damage a data pack: only reading the data finds it.
    const packs = (
      await readdir(join(dir.path, 'repo', 'volumes', 'data'), {
        recursive: true,
        withFileTypes: true,
      })
    ).filter(entry => entry.isFile());
    // A flipped byte, as disks lose them (a truncated file makes restic retry for long).
    const file = join(packs[0].parentPath, packs[0].name);
    const bytes = await readFile(file);
    bytes[10] ^= 0xff;
    await chmod(file, 0o600);
    await writeFile(file, bytes);
    const damaged = await verifyVolumeData(repository, location, { readData: true });
    expect(damaged?.problems.some(problem => /volume repository is damaged/.test(problem))).toBe(
      true,
    );
  });

  it('prune removes volume data no snapshot refers to, and a dry run only says so', async () => {
    const kept = await backup(await fill('kept', 4, 64 * 1024), 'test/shop/kept');
    const orphan = await backup(await fill('orphan', 4, 256 * 1024), 'test/shop/orphan');
    await saveSnapshotWith([
      { namespace: 'shop', claim: 'kept', dataSnapshotId: kept.id, data: { status: 'captured' } },
    ]);
    const dry = await pruneVolumeData(repository, location, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, forgotten: [orphan.id] });
    expect(dry?.bytesAfter).toBe(dry?.bytesBefore);

    const pruned = await pruneVolumeData(repository, location);
    expect(pruned?.forgotten).toEqual([orphan.id]);
    expect(pruned!.bytesBefore - pruned!.bytesAfter).toBeGreaterThan(4 * 256 * 1024 * 0.9);
    expect((await verifyVolumeData(repository, location, { readData: true }))?.ok).toBe(true);
    expect((await pruneVolumeData(repository, location))?.forgotten).toEqual([]);
  });

  it('prune waits for nobody: it needs the exclusive lock and says who holds it', async () => {
    const lock = await repository.lock('shared', 'backup');
    const other = await Repository.open(location, 'correct horse');
    await expect(pruneVolumeData(other, location)).rejects.toThrow(/locked by backup/);
    await other.close();
    await lock.release();
  });
});

describe('restic on this machine', () => {
  it('says so in one line when it is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const restic: ResticRepository = {
        location: { kind: 'local', path: '/nowhere' },
        password: 'x',
      };
      await expect(runRestic(restic, ['snapshots'])).rejects.toThrow(
        'restic is not installed on this machine; volume data needs restic 0.14 or later on PATH',
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
