import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listAll } from './backend';
import { LocalBackend } from './local-backend';
import { tempDir } from '../testing';

describe('LocalBackend', () => {
  let dir: { path: string; remove(): Promise<void> };
  let backend: LocalBackend;
  beforeEach(async () => {
    dir = await tempDir();
    backend = new LocalBackend(join(dir.path, 'root'));
  });
  afterEach(() => dir.remove());

  it('keeps files and folders private whatever the umask', async () => {
    const previous = process.umask(0);
    try {
      await backend.prepare(['data/ab']);
      await backend.put('config', Buffer.from('c'), { ifAbsent: true });
      await backend.put('data/ab/ab01', Buffer.from('one'));
      await backend.put('snapshots/s1', Buffer.from('s'));
    } finally {
      process.umask(previous);
    }
    const mode = async (path: string) =>
      ((await stat(join(dir.path, 'root', path))).mode & 0o777).toString(8);
    expect(await mode('')).toBe('700');
    for (const folder of ['data', 'data/ab', 'snapshots']) expect(await mode(folder)).toBe('700');
    for (const file of ['config', 'data/ab/ab01', 'snapshots/s1'])
      expect(await mode(file)).toBe('600');
  });

  it('puts, gets, stats, lists by prefix and deletes', async () => {
    expect(await backend.get('config')).toBeUndefined();
    await backend.put('config', Buffer.from('c'));
    await backend.put('data/ab/ab01', Buffer.from('one'));
    await backend.put('data/ab/ab02', Buffer.from('two!'));
    await backend.put('data/cd/cd01', Buffer.from('three'));
    await backend.put('snapshots/s1', Buffer.from('s'));
    expect((await backend.get('data/ab/ab02'))?.toString()).toBe('two!');
    expect(await backend.stat('data/ab/ab02')).toMatchObject({ key: 'data/ab/ab02', size: 4 });
    expect(await backend.exists('data/cd/cd01')).toBe(true);
    const keys = async (prefix: string) => (await listAll(backend, prefix)).map(e => e.key).sort();
    expect(await keys('data/')).toEqual(['data/ab/ab01', 'data/ab/ab02', 'data/cd/cd01']);
    expect(await keys('data/ab/')).toEqual(['data/ab/ab01', 'data/ab/ab02']);
    expect(await keys('data/ab/ab0')).toEqual(['data/ab/ab01', 'data/ab/ab02']);
    expect(await keys('data/c')).toEqual(['data/cd/cd01']);
    expect(await keys('')).toHaveLength(5);
    expect(await keys('locks/')).toEqual([]);
    expect(
      (await listAll(backend, 'data/ab/', { withSize: true })).map(e => e.size).sort(),
    ).toEqual([3, 4]);
    await backend.delete('data/ab/ab01');
    await backend.delete('data/ab/ab01');
    expect(await keys('data/ab/')).toEqual(['data/ab/ab02']);
    await backend.flush();
  });

  it('creates only when absent, atomically, even with racing writers', async () => {
    expect(await backend.put('config', Buffer.from('first'), { ifAbsent: true })).toBe(true);
    expect(await backend.put('config', Buffer.from('second'), { ifAbsent: true })).toBe(false);
    expect((await backend.get('config'))?.toString()).toBe('first');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        backend.put('locks/x', Buffer.from(`w${i}`), { ifAbsent: true }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readdir(join(dir.path, 'root', 'locks'))).toEqual(['x']);
  });

  it('replaces whole files: concurrent readers see old or new content, never a mix', async () => {
    const a = Buffer.alloc(1 << 20, 'a');
    const b = Buffer.alloc(1 << 20, 'b');
    await backend.put('data/aa/big', a);
    const seen = new Set<string>();
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => backend.put('data/aa/big', i % 2 ? a : b)),
      ...Array.from({ length: 20 }, async () => {
        const data = (await backend.get('data/aa/big')) as Buffer;
        expect(data.length).toBe(1 << 20);
        seen.add(String.fromCharCode(data[0]) + String.fromCharCode(data[data.length - 1]));
      }),
    ]);
    for (const pair of seen) expect(['aa', 'bb']).toContain(pair);
    expect(await readdir(join(dir.path, 'root', 'data', 'aa'))).toEqual(['big']);
  });

  it('cleans up leftovers of interrupted writes, and only old ones', async () => {
    await backend.put('data/ab/ab01', Buffer.from('x'));
    const old = join(dir.path, 'root', 'data', 'ab', '.tmp-dead');
    const fresh = join(dir.path, 'root', 'data', 'ab', '.tmp-live');
    await writeFile(old, 'partial');
    await writeFile(fresh, 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, hourAgo, hourAgo);
    expect((await listAll(backend, 'data/')).map(e => e.key)).toEqual(['data/ab/ab01']);
    expect(await backend.cleanup(600_000)).toBe(1);
    expect((await readdir(join(dir.path, 'root', 'data', 'ab'))).sort()).toEqual([
      '.tmp-live',
      'ab01',
    ]);
  });

  it('rejects keys that would leave the repository', async () => {
    await expect(backend.put('../escape', Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
    await expect(backend.get('data/../../x')).rejects.toThrow(/invalid storage key/);
  });
});
