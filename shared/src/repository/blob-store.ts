import { UserError } from '../errors';
import { mapConcurrent, type ConcurrencyLimiter } from '../util/limiter';
import { canonicalJson, IntegrityError, type RepositoryKeys } from './crypto';
import { BLOBS_PREFIX, blobKey, idOfKey, isId, SNAPSHOTS_PREFIX } from './layout';
import { listAll, type StorageBackend } from './storage/backend';

export interface PutResult {
  /** Content id: HMAC-SHA256 of the plaintext, 64 hex. */
  id: string;
  /** False when the repository already held this content (nothing was written). */
  isNew: boolean;
  /** Plaintext bytes. */
  size: number;
  /** Bytes written to storage (compressed and encrypted); 0 when not new. */
  storedBytes: number;
}

/** What this handle wrote and re-used since it was opened. */
export interface SessionStats {
  newBlobs: number;
  /** Bytes written to storage for new blobs. */
  newBytes: number;
  /** Plaintext bytes of new blobs. */
  newPlainBytes: number;
  reusedBlobs: number;
  /** Plaintext bytes of content that was already stored. */
  reusedBytes: number;
}

export interface StorageStats {
  blobs: number;
  blobBytes: number;
  snapshots: number;
  snapshotBytes: number;
  totalBytes: number;
}

export type BlobRead =
  | { status: 'ok'; data: Buffer; stored: number }
  | { status: 'missing' }
  | { status: 'corrupt'; reason: string };

/** A stored blob file, as a listing of storage finds it. */
export interface StoredBlob {
  key: string;
  id: string;
  size: number;
}

/**
 * Content-addressed blobs: each stored once under the keyed hash of its plaintext,
 * compressed and encrypted. Known ids are listed once per fan-out folder and then cached,
 * so re-used content costs no round trip.
 */
export class BlobStore {
  private readonly knownIds = new Set<string>();
  private readonly loadedPrefixes = new Map<string, Promise<void>>();
  private readonly inflight = new Map<string, Promise<PutResult>>();
  private readonly stats: SessionStats = {
    newBlobs: 0,
    newBytes: 0,
    newPlainBytes: 0,
    reusedBlobs: 0,
    reusedBytes: 0,
  };

  /**
   * @param beforeWrite taken before a write decides whether content exists (the handle's
   *   shared lock), so prune cannot remove content a backup has decided to re-use.
   */
  constructor(
    private readonly backend: StorageBackend,
    private readonly keys: RepositoryKeys,
    private readonly limiter: ConcurrencyLimiter,
    private readonly beforeWrite: () => Promise<unknown>,
  ) {}

  /** The id content would get, without storing it. */
  contentId(bytes: Uint8Array | string): string {
    return this.keys.contentId(toBuffer(bytes));
  }

  /** Stores content once; safe to call with many writes in flight. */
  async put(bytes: Uint8Array | string): Promise<PutResult> {
    const data = toBuffer(bytes);
    const id = this.keys.contentId(data);
    let pending = this.inflight.get(id);
    if (pending) {
      await pending;
      return this.reused(id, data.length);
    }
    pending = this.store(id, data);
    this.inflight.set(id, pending);
    try {
      return await pending;
    } finally {
      this.inflight.delete(id);
    }
  }

  private async store(id: string, data: Buffer): Promise<PutResult> {
    // The shared lock comes before the existence check: prune must not remove content this
    // backup has decided to re-use.
    await this.beforeWrite();
    if (await this.has(id)) return this.reused(id, data.length);
    const sealed = this.keys.seal(data, `blob:${id}`);
    await this.limiter.run(() => this.backend.put(blobKey(id), sealed));
    this.knownIds.add(id);
    this.stats.newBlobs++;
    this.stats.newBytes += sealed.length;
    this.stats.newPlainBytes += data.length;
    return { id, isNew: true, size: data.length, storedBytes: sealed.length };
  }

  private reused(id: string, size: number): PutResult {
    this.stats.reusedBlobs++;
    this.stats.reusedBytes += size;
    return { id, isNew: false, size, storedBytes: 0 };
  }

  /** Reads content back, checking it is authentic and matches its id. */
  async get(id: string): Promise<Buffer> {
    if (!isId(id))
      throw new UserError('invalid-argument', `invalid content id "${id}"; expected 64 hex digits`);
    const result = await this.read(id);
    if (result.status === 'missing') {
      throw new UserError(
        'corrupt',
        `blob ${id} is missing from the repository at ${this.backend.location}`,
      );
    }
    if (result.status === 'corrupt')
      throw new UserError('corrupt', `blob ${id} is corrupt: ${result.reason}`);
    return result.data;
  }

  /** Stores a JSON value (keys sorted, so equal values share one blob). */
  putJson(value: unknown): Promise<PutResult> {
    return this.put(Buffer.from(canonicalJson(value), 'utf8'));
  }

  async getJson<T>(id: string): Promise<T> {
    const data = await this.get(id);
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw new UserError('corrupt', `blob ${id} is corrupt: not JSON`);
    }
  }

  /** Whether the repository holds content with this id. */
  async has(id: string): Promise<boolean> {
    if (!isId(id)) return false;
    if (this.knownIds.has(id)) return true;
    await this.loadPrefix(id.slice(0, 2));
    return this.knownIds.has(id);
  }

  /**
   * Whether a blob is stored, asking storage directly when the cached listing does not
   * know it (a blob another process wrote since).
   */
  async isStored(id: string): Promise<boolean> {
    if (await this.has(id)) return true;
    if (!isId(id) || !(await this.backend.exists(blobKey(id)))) return false;
    this.knownIds.add(id);
    return true;
  }

  private loadPrefix(prefix: string): Promise<void> {
    let loading = this.loadedPrefixes.get(prefix);
    if (!loading) {
      loading = this.limiter.run(async () => {
        for await (const entry of this.backend.list(`${BLOBS_PREFIX}${prefix}/`)) {
          const id = idOfKey(entry.key);
          if (isId(id)) this.knownIds.add(id);
        }
      });
      loading.catch(() => this.loadedPrefixes.delete(prefix));
      this.loadedPrefixes.set(prefix, loading);
    }
    return loading;
  }

  /** Reads and checks one blob, saying what is wrong instead of throwing. */
  async read(id: string): Promise<BlobRead> {
    if (!isId(id)) return { status: 'missing' };
    const sealed = await this.limiter.run(() => this.backend.get(blobKey(id)));
    if (!sealed) return { status: 'missing' };
    let data: Buffer;
    try {
      data = this.keys.open(sealed, `blob:${id}`);
    } catch (error) {
      return {
        status: 'corrupt',
        reason: error instanceof IntegrityError ? error.message : String(error),
      };
    }
    if (this.keys.contentId(data) !== id)
      return { status: 'corrupt', reason: 'content does not match its id' };
    this.knownIds.add(id);
    return { status: 'ok', data, stored: sealed.length };
  }

  /** Every stored blob file (sizes only when asked: they can cost a call per file). */
  async *stored(options: { withSize?: boolean } = {}): AsyncIterable<StoredBlob> {
    for await (const entry of this.backend.list(BLOBS_PREFIX, options)) {
      const id = idOfKey(entry.key);
      if (isId(id)) yield { key: entry.key, id, size: entry.size ?? 0 };
    }
  }

  /** Removes blobs (prune's last step) and forgets the listings that counted them. */
  async remove(blobs: readonly StoredBlob[]): Promise<void> {
    if (this.backend.deleteMany) await this.backend.deleteMany(blobs.map(blob => blob.key));
    else await mapConcurrent(blobs, this.limiter.limit, blob => this.backend.delete(blob.key));
    for (const blob of blobs) this.knownIds.delete(blob.id);
  }

  /** Drops cached listings: storage may hold less than they claim. */
  forgetListings(): void {
    this.loadedPrefixes.clear();
  }

  /** Forgets which blobs exist (a prune may run from now on). */
  forgetKnown(): void {
    this.knownIds.clear();
    this.loadedPrefixes.clear();
  }

  /** Waits for writes in flight, whatever their outcome. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** What this handle wrote and re-used so far. */
  sessionStats(): SessionStats {
    return { ...this.stats };
  }

  /** Total stored bytes and counts. */
  async storageStats(): Promise<StorageStats> {
    const [blobs, snapshots] = await Promise.all([
      listAll(this.backend, BLOBS_PREFIX, { withSize: true }),
      listAll(this.backend, SNAPSHOTS_PREFIX, { withSize: true }),
    ]);
    const sum = (list: { size?: number }[]) => list.reduce((total, e) => total + (e.size ?? 0), 0);
    const blobBytes = sum(blobs);
    const snapshotBytes = sum(snapshots);
    return {
      blobs: blobs.length,
      blobBytes,
      snapshots: snapshots.length,
      snapshotBytes,
      totalBytes: blobBytes + snapshotBytes,
    };
  }
}

function toBuffer(bytes: Uint8Array | string): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
