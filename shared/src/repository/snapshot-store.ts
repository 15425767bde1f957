import { randomBytes } from 'node:crypto';
import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';
import { mapConcurrent, type ConcurrencyLimiter } from '../util/limiter';
import { canonicalJson, IntegrityError, type RepositoryKeys } from './crypto';
import { isId, SNAPSHOTS_PREFIX, snapshotKey } from './layout';
import type { SnapshotCache } from './snapshot-cache';
import { listAll, type StorageBackend } from './storage/backend';

export interface ListSnapshotsOptions {
  /**
   * Called for a snapshot document that cannot be read; the snapshot is then left out.
   * Without it, an unreadable document fails the listing.
   */
  onError?: (snapshotId: string, error: UserError) => void;
}

const HEX = /^[0-9a-f]+$/;

/** A new random snapshot id (64 hex). */
export function newSnapshotId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Snapshot documents: one encrypted file each, read once per handle (and, for remote
 * repositories, once per machine through the cache).
 */
export class SnapshotStore {
  private readonly docs = new Map<string, Snapshot>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly keys: RepositoryKeys,
    private readonly limiter: ConcurrencyLimiter,
    private readonly cache: SnapshotCache | undefined,
    private readonly onUnreadable?: ListSnapshotsOptions['onError'],
  ) {}

  private async listIds(): Promise<string[]> {
    const entries = await listAll(this.backend, SNAPSHOTS_PREFIX);
    return entries.map(e => e.key.slice(SNAPSHOTS_PREFIX.length)).filter(id => isId(id));
  }

  /** Every snapshot document, oldest first. */
  async list(options: ListSnapshotsOptions = {}): Promise<Snapshot[]> {
    const onError = options.onError ?? this.onUnreadable;
    const ids = await this.listIds();
    const present = new Set(ids);
    for (const id of this.docs.keys()) if (!present.has(id)) this.docs.delete(id);
    const cached = this.cache ? await this.cache.ids() : new Set<string>();
    const docs = await mapConcurrent(ids, this.limiter.limit, async id => {
      try {
        return await this.read(id, cached.has(id));
      } catch (error) {
        if (onError && error instanceof UserError) {
          onError(id, error);
          return undefined;
        }
        throw error;
      }
    });
    if (this.cache) await this.cache.trim(cached, present);
    return docs
      .filter((doc): doc is Snapshot => doc !== undefined)
      .sort(compareSnapshots)
      .map(clone);
  }

  /** One snapshot by full id, unique prefix or `latest`. */
  async get(ref: string): Promise<Snapshot> {
    const id = isId(ref) ? ref : await this.resolveId(ref);
    return clone(await this.read(id, false));
  }

  /**
   * Turns what a user typed into a snapshot id: a full id, a unique prefix, or `latest`
   * (the newest by time).
   */
  async resolveId(ref: string): Promise<string> {
    const wanted = ref.trim().toLowerCase();
    if (wanted === 'latest') {
      const all = await this.list();
      if (all.length === 0)
        throw new UserError(
          'not-found',
          `the repository at ${this.backend.location} has no snapshots`,
        );
      return all[all.length - 1].id;
    }
    if (!HEX.test(wanted) || wanted.length > 64) {
      throw new UserError(
        'not-found',
        `no snapshot matches "${ref}"; give a snapshot id, a prefix of one, or latest`,
      );
    }
    const matches = (await this.listIds()).filter(id => id.startsWith(wanted));
    if (matches.length === 0) throw new UserError('not-found', `no snapshot matches "${ref}"`);
    if (matches.length > 1) {
      const shown = matches
        .sort()
        .slice(0, 5)
        .map(id => id.slice(0, Math.max(12, wanted.length + 4)))
        .join(', ');
      throw new UserError(
        'ambiguous',
        `"${ref}" matches ${matches.length} snapshots (${shown}${matches.length > 5 ? ', …' : ''}); give more characters`,
      );
    }
    return matches[0];
  }

  private async read(id: string, fromCache: boolean): Promise<Snapshot> {
    const known = this.docs.get(id);
    if (known) return known;
    let sealed: Buffer | undefined;
    if (fromCache && this.cache) sealed = await this.cache.read(id);
    let downloaded = false;
    if (!sealed) {
      sealed = await this.limiter.run(() => this.backend.get(snapshotKey(id)));
      downloaded = true;
    }
    if (!sealed)
      throw new UserError('not-found', `no snapshot ${id.slice(0, 8)} in ${this.backend.location}`);
    let doc: Snapshot;
    try {
      doc = JSON.parse(this.keys.open(sealed, `snapshot:${id}`).toString('utf8')) as Snapshot;
    } catch (error) {
      if (!downloaded) {
        // A damaged cache entry: read the real document instead.
        await this.cache?.remove(id);
        return this.read(id, false);
      }
      const reason = error instanceof IntegrityError ? error.message : 'not JSON';
      throw new UserError('corrupt', `snapshot ${id} is corrupt: ${reason}`);
    }
    if (doc.id !== id)
      throw new UserError('corrupt', `snapshot ${id} is corrupt: it holds snapshot ${doc.id}`);
    if (downloaded && this.cache) await this.cache.write(id, sealed);
    this.docs.set(id, doc);
    return doc;
  }

  /**
   * Writes a snapshot document, which makes the snapshot visible: the caller has made
   * everything it refers to durable first.
   */
  async write(full: Snapshot): Promise<Snapshot> {
    const id = full.id;
    const sealed = this.keys.seal(Buffer.from(canonicalJson(full), 'utf8'), `snapshot:${id}`);
    const written = await this.limiter.run(() =>
      this.backend.put(snapshotKey(id), sealed, { ifAbsent: true }),
    );
    if (!written) throw new UserError('conflict', `snapshot ${id.slice(0, 8)} already exists`);
    await this.backend.flush?.();
    this.docs.set(id, JSON.parse(canonicalJson(full)) as Snapshot);
    return clone(full);
  }

  /** Removes a snapshot document (full id); fails with `not-found` when there is none. */
  async delete(id: string): Promise<void> {
    if (!(await this.backend.exists(snapshotKey(id)))) {
      throw new UserError('not-found', `no snapshot ${id.slice(0, 8)} in ${this.backend.location}`);
    }
    await this.forget(id);
  }

  /** Removes a snapshot document without asking whether it is there (prune). */
  async forget(id: string): Promise<void> {
    await this.backend.delete(snapshotKey(id));
    this.docs.delete(id);
    await this.cache?.remove(id);
  }
}

/** Oldest first; the id breaks ties so the order is stable. */
export function compareSnapshots(
  a: { time: string; id: string },
  b: { time: string; id: string },
): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
