import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mapConcurrent } from '../util/limiter';
import { isId } from './layout';

/**
 * Encrypted copies of a remote repository's snapshot documents on local disk, so listing
 * snapshots reads each document over the network once. Only ever saves time: every
 * failure to use it falls back to the repository.
 */
export class SnapshotCache {
  private constructor(private readonly dir: string) {}

  /** The cache for one repository under a base folder (default: the user's cache folder). */
  static forRepository(repositoryId: string, base = defaultCacheDir()): SnapshotCache {
    return new SnapshotCache(join(base, 'repositories', repositoryId, 'snapshots'));
  }

  async ids(): Promise<Set<string>> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return new Set(names.filter(name => isId(name)));
  }

  read(id: string): Promise<Buffer | undefined> {
    return readFile(join(this.dir, id)).catch(() => undefined);
  }

  async write(id: string, sealed: Buffer): Promise<void> {
    const dir = this.dir;
    try {
      // Private like the repository itself: encrypted, but nobody else's business.
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
      await writeFile(temp, sealed, { mode: 0o600 });
      await rename(temp, join(dir, id));
    } catch {
      // The cache only saves time; a read-only home must not break listing.
    }
  }

  async remove(id: string): Promise<void> {
    await unlink(join(this.dir, id)).catch(() => undefined);
  }

  /** Removes cached documents of snapshots that are no longer in the repository. */
  async trim(cached: Set<string>, present: Set<string>): Promise<void> {
    const gone = [...cached].filter(id => !present.has(id));
    await mapConcurrent(gone, 8, id => this.remove(id));
  }
}

function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'kube-backup');
}
