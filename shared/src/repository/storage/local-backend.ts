import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { ListOptions, PutOptions, StorageBackend, StorageEntry } from './backend';
import { mapConcurrent } from '../../util/limiter';

export interface LocalBackendOptions {
  /**
   * Make writes durable: repository metadata is fsynced before it is renamed into place;
   * blobs are made durable together on flush(), before any snapshot can reference them.
   * On by default; turning it off trades crash safety for speed.
   */
  fsync?: boolean;
}

const TEMP_PREFIX = '.tmp-';
/**
 * Repository files and folders are the owner's alone, whatever the umask: the config holds
 * the wrapped master key, and everything else is at least its owner's business.
 */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** A repository in a local directory (or any mounted file system). */
export class LocalBackend implements StorageBackend {
  readonly kind = 'local' as const;
  private readonly fsync: boolean;
  private readonly madeDirs = new Map<string, Promise<void>>();
  private readonly dirtyDirs = new Set<string>();
  /** Blobs written since the last flush, not yet known to be on disk. */
  private readonly unsyncedBlobs = new Set<string>();

  constructor(
    readonly root: string,
    options: LocalBackendOptions = {},
  ) {
    this.fsync = options.fsync ?? true;
  }

  get location(): string {
    return this.root;
  }

  private path(key: string): string {
    const parts = key.split('/');
    if (parts.some(part => part === '' || part === '.' || part === '..' || part.startsWith('.'))) {
      throw new Error(`invalid storage key "${key}"`);
    }
    return join(this.root, ...parts);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<boolean> {
    const target = this.path(key);
    const dir = dirname(target);
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    // A backup writes thousands of small blobs; one fsync each would dominate its run time,
    // so blobs are synced together on flush(), which always precedes the snapshot document.
    const deferSync = this.fsync && key.startsWith('data/');
    await this.writeTemp(dir, temp, data, this.fsync && !deferSync);
    try {
      if (options.ifAbsent) {
        if (!(await this.linkIfAbsent(temp, target))) return false;
      } else {
        await rename(temp, target);
      }
    } finally {
      if (options.ifAbsent) await unlink(temp).catch(() => undefined);
    }
    this.dirtyDirs.add(dir);
    if (deferSync) this.unsyncedBlobs.add(target);
    return true;
  }

  private async writeTemp(
    dir: string,
    temp: string,
    data: Uint8Array,
    sync: boolean,
  ): Promise<void> {
    let handle;
    try {
      handle = await open(temp, 'wx', FILE_MODE);
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
      // First write into this directory in this process: create it once, then retry.
      await this.makeDir(dir);
      handle = await open(temp, 'wx', FILE_MODE);
    }
    try {
      await handle.writeFile(data);
      if (sync) await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
  }

  private async linkIfAbsent(temp: string, target: string): Promise<boolean> {
    try {
      await link(temp, target);
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      // File systems without hard links: fall back to check-then-rename.
      if (!isCode(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV')) throw error;
    }
    if (await this.existsPath(target)) return false;
    await rename(temp, target);
    return true;
  }

  private makeDir(dir: string): Promise<void> {
    let made = this.madeDirs.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true, mode: DIR_MODE }).then(() => undefined);
      made.catch(() => this.madeDirs.delete(dir));
      this.madeDirs.set(dir, made);
      this.dirtyDirs.add(dirname(dir));
    }
    return made;
  }

  private async existsPath(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
  }

  exists(key: string): Promise<boolean> {
    return this.existsPath(this.path(key));
  }

  async stat(key: string): Promise<StorageEntry | undefined> {
    try {
      const info = await stat(this.path(key));
      return { key, size: info.size, modified: info.mtime };
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
  }

  async deleteMany(keys: string[]): Promise<void> {
    await mapConcurrent(keys, 16, key => this.delete(key));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StorageEntry> {
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash + 1);
    yield* this.walk(base, prefix, options.withSize ?? false);
  }

  /** Lists `dirKey` (a key prefix ending in '/' or empty) recursively, keeping keys under `prefix`. */
  private async *walk(
    dirKey: string,
    prefix: string,
    withSize: boolean,
  ): AsyncIterable<StorageEntry> {
    const dir = dirKey === '' ? this.root : join(this.root, ...dirKey.slice(0, -1).split('/'));
    let names;
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return;
      throw error;
    }
    const files: string[] = [];
    for (const entry of names) {
      if (entry.name.startsWith('.')) continue;
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub))
          yield* this.walk(sub, prefix, withSize);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        files.push(key);
      }
    }
    if (!withSize) {
      for (const key of files) yield { key };
      return;
    }
    const stats = await mapConcurrent(files, 16, key => this.stat(key));
    for (const entry of stats) if (entry) yield entry;
  }

  async flush(): Promise<void> {
    if (!this.fsync) return;
    if (this.unsyncedBlobs.size > 0) {
      const files = [...this.unsyncedBlobs];
      this.unsyncedBlobs.clear();
      // syncfs(2) flushes the whole file system in one call; elsewhere, each file in turn.
      if (!(await syncFileSystem(this.root))) await mapConcurrent(files, 16, syncFile);
    }
    const dirs = [...this.dirtyDirs];
    this.dirtyDirs.clear();
    await mapConcurrent(dirs, 16, syncDir);
  }

  async cleanup(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    // Only our own folders: the location may also hold other tools' data (restic's volumes).
    const visit = async (dir: string, recurse: boolean): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isCode(error, 'ENOENT', 'ENOTDIR')) return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && recurse && !entry.name.startsWith('.')) {
          await visit(path, true);
        } else if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) {
          const info = await stat(path).catch(() => undefined);
          if (info && info.mtimeMs < cutoff) {
            await rm(path, { force: true });
            removed++;
          }
        }
      }
    };
    await visit(this.root, false);
    for (const top of ['data', 'snapshots', 'locks']) await visit(join(this.root, top), true);
    return removed;
  }

  async prepare(folders: string[] = []): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: DIR_MODE });
    await mapConcurrent(folders, 16, folder => this.makeDir(this.path(folder)));
  }
}

const run = promisify(execFile);

async function syncFileSystem(path: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    await run('sync', ['--file-system', path]);
    return true;
  } catch {
    return false;
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, fsConstants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the data itself was synced.
    if (!isCode(error, 'EISDIR', 'EINVAL', 'EPERM', 'ENOTSUP', 'EBADF', 'ENOENT')) throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    codes.includes((error as { code?: string }).code ?? '')
  );
}
