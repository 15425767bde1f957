import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import { listAll, type StorageBackend } from './backend';
import {
  canonicalJson,
  decrypt,
  deriveKey,
  encrypt,
  IntegrityError,
  newKdfParams,
  RepositoryKeys,
  tuneKdf,
  type KdfParams,
} from './crypto';
import { ConcurrencyLimiter, mapConcurrent } from '../cluster/limiter';
import { createBackend, type BackendOptions, type RepositoryLocation } from './location';
import {
  DEFAULT_LOCK_TIMINGS,
  LockManager,
  type LockInfo,
  type LockKind,
  type LockWait,
  type RepositoryLock,
} from './locks';
import {
  applyRetention,
  validateRetentionPolicy,
  type KeepReason,
  type RetentionGroupBy,
  type RetentionPolicy,
} from './retention';

export const REPOSITORY_FORMAT = 'kube-backup-repository';
export const REPOSITORY_VERSION = 1;

const ID = /^[0-9a-f]{64}$/;
/** Created up front where storage has folders, so a backup's writes never create any. */
const REPOSITORY_FOLDERS = [
  'snapshots',
  'locks',
  ...Array.from({ length: 256 }, (_, i) => `data/${i.toString(16).padStart(2, '0')}`),
];
const HEX = /^[0-9a-f]+$/;
const VOLUME_DATA_PASSWORD_LABEL = 'kube-backup/v1/volume-data-password';

interface ConfigFile {
  format: typeof REPOSITORY_FORMAT;
  version: number;
  id: string;
  created: string;
  kdf: KdfParams;
  /** base64 of `nonce | AES-256-GCM(master key) | tag` under the password-derived key. */
  masterKey: string;
}

export interface OpenOptions {
  /** Options for the backend built from the location (local fsync, S3 part sizes, credentials…). */
  backend?: BackendOptions;
  /** Use this backend instead of building one from the location. */
  storage?: StorageBackend;
  /** Storage operations in flight at once. Default 32 for local directories, 64 for S3. */
  concurrency?: number;
  /**
   * Where encrypted copies of snapshot documents from remote repositories are cached, so
   * listing snapshots reads each document over the network once. Default
   * `$XDG_CACHE_HOME/kube-backup` or `~/.cache/kube-backup`; false turns the cache off.
   * Local repositories are never cached.
   */
  cacheDir?: string | false;
  /** A lock not refreshed for this long is stale. Default 10 minutes. */
  lockStaleMs?: number;
  /** How often held locks are refreshed. Default 1 minute. */
  lockRefreshMs?: number;
  /**
   * How long taking a lock waits for a conflicting one to go (a backup meeting a prune)
   * before failing with `repository-locked`. Default 0: fail at once.
   */
  lockWaitMs?: number;
  /** Called while waiting for a lock, with the lock in the way and how long it has waited. */
  onLockWait?: (holder: LockInfo, waitedMs: number) => void;
  /**
   * Called for a snapshot document that cannot be read when a listing (or `latest`) has no
   * onError of its own; the snapshot is then left out. Without it such a document fails
   * the listing.
   */
  onUnreadableSnapshot?: (snapshotId: string, error: UserError) => void;
}

export interface InitOptions extends OpenOptions {
  /**
   * scrypt cost. By default it is tuned so that opening the repository takes about 75 ms on
   * this machine, never below N = 2^17 (MIN_TUNED_SCRYPT_N). A cost given here is taken
   * as it is (tests use a cheap one).
   */
  kdf?: { N: number; r?: number; p?: number };
}

/** The key derivation a repository uses, without its salt: what `repo init` reports. */
export interface KeyDerivation {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** Memory one derivation needs: 128 · N · r bytes. */
  memoryBytes: number;
}

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

export interface RepositoryProgress {
  operation: 'verify' | 'prune';
  phase: 'locking' | 'snapshots' | 'record-lists' | 'blobs' | 'listing' | 'forgetting' | 'deleting';
  done: number;
  total?: number;
}

export interface ObjectRef {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface VerifyReference {
  snapshotId: string;
  /** The record list holding the object, for object blobs. */
  recordList?: string;
  object?: ObjectRef;
}

export interface VerifyProblem {
  /** missing: no file; corrupt: fails authentication, decompression, its id, or does not parse. */
  problem: 'missing' | 'corrupt';
  what: 'snapshot' | 'record-list' | 'object';
  /** Blob id, or snapshot id for snapshot documents. */
  id: string;
  /** One line, e.g. `object blob 3fa1…: content does not match its id`. */
  message: string;
  referencedBy: VerifyReference[];
}

export interface VerifyOptions {
  /** Only this snapshot (id, unique prefix or `latest`); every snapshot by default. */
  snapshotId?: string;
  onProgress?: (progress: RepositoryProgress) => void;
  /** Take a shared lock so prune cannot remove data while it is checked. Default true. */
  lock?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  snapshots: number;
  recordLists: number;
  /** Distinct object blobs checked. */
  objects: number;
  /** Stored bytes read and checked. */
  bytesRead: number;
  problems: VerifyProblem[];
  /** Blobs no snapshot refers to (prune removes them); only counted when checking everything. */
  unreferencedBlobs?: number;
  durationMs: number;
}

export interface PruneOptions extends RetentionPolicy {
  /** How snapshots are grouped before the policy applies. Default cluster and selection. */
  groupBy?: RetentionGroupBy[];
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  onProgress?: (progress: RepositoryProgress) => void;
}

export interface PruneReport {
  dryRun: boolean;
  kept: Array<{ id: string; time: string; reasons: KeepReason[] }>;
  /** Snapshot documents removed (or that would be). */
  forgotten: Array<{ id: string; time: string }>;
  /** Unreferenced blobs removed (or that would be). */
  removedBlobs: number;
  removedBytes: number;
  keptBlobs: number;
  keptBytes: number;
  /** Leftovers of interrupted writes removed. */
  removedTempFiles: number;
  durationMs: number;
}

export interface ListSnapshotsOptions {
  /**
   * Called for a snapshot document that cannot be read; the snapshot is then left out.
   * Without it, an unreadable document fails the listing.
   */
  onError?: (snapshotId: string, error: UserError) => void;
}

type BlobRead =
  | { status: 'ok'; data: Buffer; stored: number }
  | { status: 'missing' }
  | { status: 'corrupt'; reason: string };

/** A new random snapshot id (64 hex). */
export function newSnapshotId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A content-addressed, compressed and encrypted repository of snapshots. See FORMAT.md.
 *
 * The first write (putBlob, putJson, saveSnapshot, deleteSnapshot) takes a shared lock that
 * the handle keeps until endWriteSession() or close(), so prune cannot remove content the
 * handle has seen as present. A process that keeps a handle open between backups should
 * call endWriteSession() after each one.
 */
export class Repository {
  private readonly knownIds = new Set<string>();
  private readonly loadedPrefixes = new Map<string, Promise<void>>();
  private readonly inflight = new Map<string, Promise<PutResult>>();
  private readonly limiter: ConcurrencyLimiter;
  private readonly locks: LockManager;
  private readonly snapshotDocs = new Map<string, Snapshot>();
  private readonly cacheDir?: string;
  private readonly stats: SessionStats = {
    newBlobs: 0,
    newBytes: 0,
    newPlainBytes: 0,
    reusedBlobs: 0,
    reusedBytes: 0,
  };
  private readonly keys: RepositoryKeys;
  private readonly lockStaleMs: number;
  private readonly lockWait: LockWait;
  private readonly onUnreadableSnapshot?: OpenOptions['onUnreadableSnapshot'];
  private sessionLock?: Promise<RepositoryLock>;
  private closed = false;

  private constructor(
    readonly backend: StorageBackend,
    private readonly master: Buffer,
    private config: ConfigFile,
    options: OpenOptions,
  ) {
    this.keys = new RepositoryKeys(master);
    this.limiter = new ConcurrencyLimiter(
      options.concurrency ?? (backend.kind === 'local' ? 32 : 64),
    );
    this.lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK_TIMINGS.staleMs;
    this.lockWait = { timeoutMs: options.lockWaitMs ?? 0, onWait: options.onLockWait };
    this.onUnreadableSnapshot = options.onUnreadableSnapshot;
    this.locks = new LockManager(backend, this.keys, {
      staleMs: this.lockStaleMs,
      refreshMs: options.lockRefreshMs ?? DEFAULT_LOCK_TIMINGS.refreshMs,
    });
    if (backend.kind !== 'local' && options.cacheDir !== false) {
      const base = options.cacheDir ?? defaultCacheDir();
      this.cacheDir = join(base, 'repositories', config.id, 'snapshots');
    }
  }

  /** Repository id (64 hex), stable for the repository's life. */
  get id(): string {
    return this.config.id;
  }

  /** Where the repository is, for messages. */
  get location(): string {
    return this.backend.location;
  }

  /** How the password becomes the key that unlocks the repository. */
  get keyDerivation(): KeyDerivation {
    const { N, r, p } = this.config.kdf;
    return { algorithm: 'scrypt', N, r, p, memoryBytes: 128 * N * r };
  }

  /**
   * The password of the volume-data (restic) repository beside this one, derived from the
   * master key: whoever can open this repository can open that one, and nobody handles a
   * second secret. Changing this repository's password leaves it unchanged.
   */
  volumeDataPassword(): string {
    return createHmac('sha256', this.master).update(VOLUME_DATA_PASSWORD_LABEL).digest('hex');
  }

  /** Creates a repository. Fails with `repository-exists` when one is already there. */
  static async init(
    location: string | RepositoryLocation,
    password: string,
    options: InitOptions = {},
  ): Promise<Repository> {
    if (!password) throw new UserError('invalid-argument', 'the repository password is empty');
    return withBackend(location, options, backend => Repository.create(backend, password, options));
  }

  private static async create(
    backend: StorageBackend,
    password: string,
    options: InitOptions,
  ): Promise<Repository> {
    if (await backend.exists('config')) {
      throw new UserError(
        'repository-exists',
        `a repository already exists at ${backend.location}`,
      );
    }
    await backend.prepare?.(REPOSITORY_FOLDERS);
    const kdf = options.kdf ? newKdfParams(options.kdf) : await tuneKdf();
    const id = randomBytes(32).toString('hex');
    const master = RepositoryKeys.generateMaster();
    const kek = await deriveKey(password, kdf);
    const config: ConfigFile = {
      format: REPOSITORY_FORMAT,
      version: REPOSITORY_VERSION,
      id,
      created: new Date().toISOString(),
      kdf,
      masterKey: encrypt(kek, master, configAad(id)).toString('base64'),
    };
    const text = JSON.stringify(config, null, 2) + '\n';
    const written = await backend.put('config', Buffer.from(text), { ifAbsent: true });
    if (!written) {
      throw new UserError(
        'repository-exists',
        `a repository already exists at ${backend.location}`,
      );
    }
    await backend.flush?.();
    return new Repository(backend, master, config, options);
  }

  /**
   * Opens a repository. Fails with `repository-missing` when there is none and
   * `wrong-password` when the password does not decrypt its key.
   */
  static async open(
    location: string | RepositoryLocation,
    password: string,
    options: OpenOptions = {},
  ): Promise<Repository> {
    return withBackend(location, options, async backend => {
      const raw = await backend.get('config');
      if (!raw) {
        throw new UserError('repository-missing', `no repository at ${backend.location}`);
      }
      const config = parseConfig(raw, backend.location);
      const master = await unlockMaster(config, password);
      return new Repository(backend, master, config, options);
    });
  }

  /** Whether a repository exists at a location (its config file is there). */
  static async exists(
    location: string | RepositoryLocation,
    options: OpenOptions = {},
  ): Promise<boolean> {
    const backend = options.storage ?? (await createBackend(location, options.backend));
    try {
      return await backend.exists('config');
    } finally {
      if (!options.storage) await backend.close?.();
    }
  }

  /** Re-encrypts the master key under a new password; data is untouched. */
  async changePassword(newPassword: string, options: Pick<InitOptions, 'kdf'> = {}): Promise<void> {
    if (!newPassword) throw new UserError('invalid-argument', 'the repository password is empty');
    const raw = await this.backend.get('config');
    if (!raw) throw new UserError('repository-missing', `no repository at ${this.location}`);
    const current = parseConfig(raw, this.location);
    if (current.id !== this.config.id) {
      throw new UserError(
        'conflict',
        `the repository at ${this.location} was replaced by another one`,
      );
    }
    const kdf = options.kdf ? newKdfParams(options.kdf) : await tuneKdf();
    const kek = await deriveKey(newPassword, kdf);
    const next: ConfigFile = {
      ...current,
      kdf,
      masterKey: encrypt(kek, this.master, configAad(current.id)).toString('base64'),
    };
    await this.backend.put('config', Buffer.from(JSON.stringify(next, null, 2) + '\n'));
    await this.backend.flush?.();
    this.config = next;
  }

  // ---- blobs -------------------------------------------------------------------------

  /** The id content would get, without storing it. */
  contentId(bytes: Uint8Array | string): string {
    return this.keys.contentId(toBuffer(bytes));
  }

  /**
   * Stores content once. Writing content the repository already holds is a no-op that
   * reports `isNew: false` (known ids are listed once per fan-out folder and then cached, so
   * re-used content costs no round trip). Safe to call with many writes in flight.
   */
  async putBlob(bytes: Uint8Array | string): Promise<PutResult> {
    this.assertOpen();
    const data = toBuffer(bytes);
    const id = this.keys.contentId(data);
    let pending = this.inflight.get(id);
    if (pending) {
      await pending;
      return this.reused(id, data.length);
    }
    pending = this.storeBlob(id, data);
    this.inflight.set(id, pending);
    try {
      return await pending;
    } finally {
      this.inflight.delete(id);
    }
  }

  private async storeBlob(id: string, data: Buffer): Promise<PutResult> {
    // The shared lock comes before the existence check: prune must not remove content this
    // backup has decided to re-use.
    await this.ensureSessionLock();
    if (await this.hasBlob(id)) return this.reused(id, data.length);
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
  async getBlob(id: string): Promise<Buffer> {
    assertBlobId(id);
    const result = await this.readBlob(id);
    if (result.status === 'missing') {
      throw new UserError(
        'corrupt',
        `blob ${id} is missing from the repository at ${this.location}`,
      );
    }
    if (result.status === 'corrupt')
      throw new UserError('corrupt', `blob ${id} is corrupt: ${result.reason}`);
    return result.data;
  }

  /** Stores a JSON value (keys sorted, so equal values share one blob). */
  putJson(value: unknown): Promise<PutResult> {
    return this.putBlob(Buffer.from(canonicalJson(value), 'utf8'));
  }

  async getJson<T>(id: string): Promise<T> {
    const data = await this.getBlob(id);
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw new UserError('corrupt', `blob ${id} is corrupt: not JSON`);
    }
  }

  /** Whether the repository holds content with this id. */
  async hasBlob(id: string): Promise<boolean> {
    if (!ID.test(id)) return false;
    if (this.knownIds.has(id)) return true;
    await this.loadPrefix(id.slice(0, 2));
    return this.knownIds.has(id);
  }

  private loadPrefix(prefix: string): Promise<void> {
    let loading = this.loadedPrefixes.get(prefix);
    if (!loading) {
      loading = this.limiter.run(async () => {
        for await (const entry of this.backend.list(`data/${prefix}/`)) {
          const id = entry.key.slice(entry.key.lastIndexOf('/') + 1);
          if (ID.test(id)) this.knownIds.add(id);
        }
      });
      loading.catch(() => this.loadedPrefixes.delete(prefix));
      this.loadedPrefixes.set(prefix, loading);
    }
    return loading;
  }

  private async readBlob(id: string): Promise<BlobRead> {
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

  /** What this handle wrote and re-used so far. */
  sessionStats(): SessionStats {
    return { ...this.stats };
  }

  /** Total stored bytes and counts. */
  async storageStats(): Promise<StorageStats> {
    const [blobs, snapshots] = await Promise.all([
      listAll(this.backend, 'data/', { withSize: true }),
      listAll(this.backend, 'snapshots/', { withSize: true }),
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

  // ---- snapshots ---------------------------------------------------------------------

  private async listSnapshotIds(): Promise<string[]> {
    const entries = await listAll(this.backend, 'snapshots/');
    return entries.map(e => e.key.slice('snapshots/'.length)).filter(id => ID.test(id));
  }

  /** Every snapshot document, oldest first. */
  async listSnapshots(options: ListSnapshotsOptions = {}): Promise<Snapshot[]> {
    const onError = options.onError ?? this.onUnreadableSnapshot;
    const ids = await this.listSnapshotIds();
    const present = new Set(ids);
    for (const id of this.snapshotDocs.keys()) if (!present.has(id)) this.snapshotDocs.delete(id);
    const cached = this.cacheDir ? await this.cachedSnapshotIds() : new Set<string>();
    const docs = await mapConcurrent(ids, this.limiter.limit, async id => {
      try {
        return await this.readSnapshot(id, cached.has(id));
      } catch (error) {
        if (onError && error instanceof UserError) {
          onError(id, error);
          return undefined;
        }
        throw error;
      }
    });
    if (this.cacheDir) await this.trimCache(cached, present);
    return docs
      .filter((doc): doc is Snapshot => doc !== undefined)
      .sort(compareSnapshots)
      .map(clone);
  }

  /** One snapshot by full id, unique prefix or `latest`. */
  async getSnapshot(ref: string): Promise<Snapshot> {
    const id = ID.test(ref) ? ref : await this.resolveSnapshotId(ref);
    return clone(await this.readSnapshot(id, false));
  }

  /**
   * Turns what a user typed into a snapshot id: a full id, a unique prefix, or `latest`
   * (the newest by time).
   */
  async resolveSnapshotId(ref: string): Promise<string> {
    const wanted = ref.trim().toLowerCase();
    if (wanted === 'latest') {
      const all = await this.listSnapshots();
      if (all.length === 0)
        throw new UserError('not-found', `the repository at ${this.location} has no snapshots`);
      return all[all.length - 1].id;
    }
    if (!HEX.test(wanted) || wanted.length > 64) {
      throw new UserError(
        'not-found',
        `no snapshot matches "${ref}"; give a snapshot id, a prefix of one, or latest`,
      );
    }
    const matches = (await this.listSnapshotIds()).filter(id => id.startsWith(wanted));
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

  private async readSnapshot(id: string, fromCache: boolean): Promise<Snapshot> {
    const known = this.snapshotDocs.get(id);
    if (known) return known;
    let sealed: Buffer | undefined;
    if (fromCache && this.cacheDir)
      sealed = await readFile(join(this.cacheDir, id)).catch(() => undefined);
    let downloaded = false;
    if (!sealed) {
      sealed = await this.limiter.run(() => this.backend.get(snapshotKey(id)));
      downloaded = true;
    }
    if (!sealed)
      throw new UserError('not-found', `no snapshot ${id.slice(0, 8)} in ${this.location}`);
    let doc: Snapshot;
    try {
      doc = JSON.parse(this.keys.open(sealed, `snapshot:${id}`).toString('utf8')) as Snapshot;
    } catch (error) {
      if (!downloaded) {
        // A damaged cache entry: read the real document instead.
        await unlink(join(this.cacheDir as string, id)).catch(() => undefined);
        return this.readSnapshot(id, false);
      }
      const reason = error instanceof IntegrityError ? error.message : 'not JSON';
      throw new UserError('corrupt', `snapshot ${id} is corrupt: ${reason}`);
    }
    if (doc.id !== id)
      throw new UserError('corrupt', `snapshot ${id} is corrupt: it holds snapshot ${doc.id}`);
    if (downloaded && this.cacheDir) await this.cacheSnapshot(id, sealed);
    this.snapshotDocs.set(id, doc);
    return doc;
  }

  /**
   * Writes a snapshot document, which makes the snapshot visible. Call it last, once every
   * blob it refers to is stored. An empty or missing `id` gets a new random one.
   */
  async saveSnapshot(doc: Omit<Snapshot, 'id'> & { id?: string }): Promise<Snapshot> {
    this.assertOpen();
    const id = doc.id ? doc.id : newSnapshotId();
    if (!ID.test(id))
      throw new UserError(
        'invalid-argument',
        `invalid snapshot id "${id}"; expected 64 hex digits`,
      );
    const lock = await this.ensureSessionLock();
    for (const list of new Set(doc.recordLists ?? [])) {
      if (await this.hasBlob(list)) continue;
      if (!ID.test(list) || !(await this.backend.exists(blobKey(list)))) {
        throw new Error(`snapshot refers to record list ${list}, which is not in the repository`);
      }
      this.knownIds.add(list);
    }
    if (lock.lost) {
      throw new UserError(
        'repository-locked',
        'the repository lock was lost while writing (another process removed it as stale); the snapshot was not saved, run the backup again',
      );
    }
    // Everything the snapshot refers to must be durable before the snapshot is.
    await this.backend.flush?.();
    const full = { ...doc, id } as Snapshot;
    const sealed = this.keys.seal(Buffer.from(canonicalJson(full), 'utf8'), `snapshot:${id}`);
    const written = await this.limiter.run(() =>
      this.backend.put(snapshotKey(id), sealed, { ifAbsent: true }),
    );
    if (!written) throw new UserError('conflict', `snapshot ${id.slice(0, 8)} already exists`);
    await this.backend.flush?.();
    this.snapshotDocs.set(id, JSON.parse(canonicalJson(full)) as Snapshot);
    return clone(full);
  }

  /** Removes a snapshot document (full id or unique prefix). Its data stays until prune. */
  async deleteSnapshot(ref: string): Promise<void> {
    this.assertOpen();
    const id = ID.test(ref) ? ref : await this.resolveSnapshotId(ref);
    await this.ensureSessionLock();
    if (!(await this.backend.exists(snapshotKey(id)))) {
      throw new UserError('not-found', `no snapshot ${id.slice(0, 8)} in ${this.location}`);
    }
    await this.backend.delete(snapshotKey(id));
    this.snapshotDocs.delete(id);
    if (this.cacheDir) await unlink(join(this.cacheDir, id)).catch(() => undefined);
  }

  private async cachedSnapshotIds(): Promise<Set<string>> {
    const names = await readdir(this.cacheDir as string).catch(() => [] as string[]);
    return new Set(names.filter(name => ID.test(name)));
  }

  private async cacheSnapshot(id: string, sealed: Buffer): Promise<void> {
    const dir = this.cacheDir as string;
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

  private async trimCache(cached: Set<string>, present: Set<string>): Promise<void> {
    const gone = [...cached].filter(id => !present.has(id));
    await mapConcurrent(gone, 8, id =>
      unlink(join(this.cacheDir as string, id)).catch(() => undefined),
    );
  }

  // ---- locks -------------------------------------------------------------------------

  /**
   * Takes a lock for a long read (a restore) or an administrative task. Shared locks
   * coexist; an exclusive one excludes everything. Fails with `repository-locked`, naming
   * the holder, when a live conflicting lock exists.
   */
  lock(
    kind: LockKind,
    operation = kind === 'exclusive' ? 'an exclusive operation' : 'a reader',
  ): Promise<RepositoryLock> {
    this.assertOpen();
    return this.locks.acquire(kind, operation, this.lockWait);
  }

  /** Every lock file, with whether it is stale. */
  listLocks(): Promise<LockInfo[]> {
    return this.locks.list();
  }

  /** Removes stale locks (or all locks of other processes with `all`); returns how many. */
  unlock(options: { all?: boolean } = {}): Promise<number> {
    return this.locks.unlock(options);
  }

  /**
   * Ends this handle's write session: waits for writes in flight, releases its shared lock
   * and forgets which blobs it knows to exist (a prune may run from now on). The next write
   * starts a new session.
   */
  async endWriteSession(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
    const lock = this.sessionLock;
    this.sessionLock = undefined;
    this.knownIds.clear();
    this.loadedPrefixes.clear();
    if (lock) await (await lock.catch(() => undefined))?.release();
  }

  private ensureSessionLock(): Promise<RepositoryLock> {
    if (!this.sessionLock) {
      this.sessionLock = this.locks.acquire('shared', 'backup', this.lockWait);
      this.sessionLock.catch(() => (this.sessionLock = undefined));
    }
    return this.sessionLock;
  }

  // ---- verify ------------------------------------------------------------------------

  /**
   * Re-reads every blob reachable from the snapshots (or from one snapshot), checks that it
   * decrypts, decompresses and hashes to its id, and names every missing or corrupt one with
   * the snapshots and objects that refer to it.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    this.assertOpen();
    const started = Date.now();
    const progress = (phase: RepositoryProgress['phase'], done: number, total?: number) =>
      options.onProgress?.({ operation: 'verify', phase, done, total });
    const lock =
      options.lock === false
        ? undefined
        : await this.locks.acquire('shared', 'verify', this.lockWait);
    try {
      const problems: VerifyProblem[] = [];
      let bytesRead = 0;

      progress('snapshots', 0);
      let snapshots: Snapshot[];
      if (options.snapshotId) {
        const id = ID.test(options.snapshotId)
          ? options.snapshotId
          : await this.resolveSnapshotId(options.snapshotId);
        try {
          snapshots = [await this.getSnapshot(id)];
        } catch (error) {
          if (!(error instanceof UserError) || error.code !== 'corrupt') throw error;
          snapshots = [];
          problems.push({
            problem: 'corrupt',
            what: 'snapshot',
            id,
            message: error.message,
            referencedBy: [],
          });
        }
      } else {
        snapshots = await this.listSnapshots({
          onError: (id, error) =>
            problems.push({
              problem: error.code === 'not-found' ? 'missing' : 'corrupt',
              what: 'snapshot',
              id,
              message: error.message,
              referencedBy: [],
            }),
        });
      }
      progress('snapshots', snapshots.length, snapshots.length);

      // Record lists, each with the snapshots that use it.
      const lists = new Map<string, string[]>();
      for (const snapshot of snapshots) {
        for (const list of new Set(snapshot.recordLists ?? [])) {
          const users = lists.get(list) ?? [];
          users.push(snapshot.id);
          lists.set(list, users);
        }
      }
      const contents = new Set<string>();
      const goodLists: string[] = [];
      let listsDone = 0;
      progress('record-lists', 0, lists.size);
      await mapConcurrent([...lists], this.limiter.limit, async ([list, users]) => {
        const referencedBy = users.map(snapshotId => ({ snapshotId }));
        const read: BlobRead = ID.test(list) ? await this.readBlob(list) : { status: 'missing' };
        if (read.status !== 'ok') {
          problems.push(blobProblem('record-list', list, read, referencedBy));
        } else {
          bytesRead += read.stored;
          const records = parseRecords(read.data);
          if (!records) {
            problems.push({
              problem: 'corrupt',
              what: 'record-list',
              id: list,
              message: `record list ${list} is not a JSON array of records`,
              referencedBy,
            });
          } else {
            goodLists.push(list);
            for (const record of records)
              if (typeof record.content === 'string') contents.add(record.content);
          }
        }
        progress('record-lists', ++listsDone, lists.size);
      });

      const bad = new Map<string, BlobRead>();
      let blobsDone = 0;
      progress('blobs', 0, contents.size);
      await mapConcurrent([...contents], this.limiter.limit, async id => {
        const read: BlobRead = ID.test(id) ? await this.readBlob(id) : { status: 'missing' };
        if (read.status === 'ok') bytesRead += read.stored;
        else bad.set(id, read);
        blobsDone++;
        if (blobsDone % 100 === 0 || blobsDone === contents.size)
          progress('blobs', blobsDone, contents.size);
      });

      if (bad.size > 0) {
        // Second pass, only when something is wrong: who refers to each bad blob.
        const refs = new Map<string, VerifyReference[]>();
        await mapConcurrent(goodLists, this.limiter.limit, async list => {
          const read = await this.readBlob(list);
          if (read.status !== 'ok') return;
          for (const record of parseRecords(read.data) ?? []) {
            if (typeof record.content !== 'string' || !bad.has(record.content)) continue;
            const found = refs.get(record.content) ?? [];
            for (const snapshotId of lists.get(list) ?? []) {
              found.push({ snapshotId, recordList: list, object: objectRef(record) });
            }
            refs.set(record.content, found);
          }
        });
        for (const [id, read] of bad) {
          problems.push(blobProblem('object', id, read, refs.get(id) ?? []));
        }
      }

      let unreferencedBlobs: number | undefined;
      if (!options.snapshotId) {
        const reachable = new Set([...lists.keys(), ...contents]);
        unreferencedBlobs = 0;
        for await (const entry of this.backend.list('data/')) {
          const id = entry.key.slice(entry.key.lastIndexOf('/') + 1);
          if (ID.test(id) && !reachable.has(id)) unreferencedBlobs++;
        }
      }

      return {
        ok: problems.length === 0,
        snapshots: snapshots.length,
        recordLists: lists.size,
        objects: contents.size,
        bytesRead,
        problems,
        unreferencedBlobs,
        durationMs: Date.now() - started,
      };
    } finally {
      await lock?.release();
    }
  }

  // ---- prune -------------------------------------------------------------------------

  /**
   * Forgets snapshots the retention policy does not keep (none without a policy), then
   * removes every blob no remaining snapshot refers to, under an exclusive lock. With
   * `dryRun` it only reports what it would remove.
   */
  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    this.assertOpen();
    validateRetentionPolicy(options);
    const started = Date.now();
    const dryRun = options.dryRun ?? false;
    const progress = (phase: RepositoryProgress['phase'], done: number, total?: number) =>
      options.onProgress?.({ operation: 'prune', phase, done, total });

    progress('locking', 0);
    const lock = await this.locks.acquire(
      'exclusive',
      dryRun ? 'prune (dry run)' : 'prune',
      this.lockWait,
    );
    try {
      const removedTempFiles = dryRun
        ? 0
        : ((await this.backend.cleanup?.(Math.max(this.lockStaleMs, 60_000))) ?? 0);

      progress('snapshots', 0);
      // An unreadable snapshot hides what it refers to: stop rather than delete its data.
      const snapshots = await this.listSnapshots({
        onError: (id, error) => {
          throw new UserError(
            'corrupt',
            `snapshot ${id.slice(0, 8)} cannot be read (${error.code}), so prune stopped without removing anything`,
          );
        },
      });
      progress('snapshots', snapshots.length, snapshots.length);
      const decision = applyRetention(snapshots, options, options.groupBy);

      const reachable = new Set<string>();
      const lists = new Map<string, string>();
      for (const { snapshot } of decision.keep) {
        for (const list of snapshot.recordLists ?? [])
          if (!lists.has(list)) lists.set(list, snapshot.id);
      }
      let listsDone = 0;
      progress('record-lists', 0, lists.size);
      await mapConcurrent([...lists], this.limiter.limit, async ([list, snapshotId]) => {
        const read: BlobRead = ID.test(list) ? await this.readBlob(list) : { status: 'missing' };
        const records = read.status === 'ok' ? parseRecords(read.data) : undefined;
        if (!records) {
          const state = read.status === 'missing' ? 'missing' : 'corrupt';
          throw new UserError(
            'corrupt',
            `record list ${list.slice(0, 12)} of snapshot ${snapshotId.slice(0, 8)} is ${state}, so prune stopped without removing anything`,
          );
        }
        reachable.add(list);
        for (const record of records)
          if (typeof record.content === 'string') reachable.add(record.content);
        progress('record-lists', ++listsDone, lists.size);
      });

      progress('listing', 0);
      const blobs = await listAll(this.backend, 'data/', { withSize: true });
      progress('listing', blobs.length, blobs.length);
      const doomed: { key: string; id: string; size: number }[] = [];
      let keptBlobs = 0;
      let keptBytes = 0;
      for (const entry of blobs) {
        const id = entry.key.slice(entry.key.lastIndexOf('/') + 1);
        if (!ID.test(id)) continue;
        if (reachable.has(id)) {
          keptBlobs++;
          keptBytes += entry.size ?? 0;
        } else {
          doomed.push({ key: entry.key, id, size: entry.size ?? 0 });
        }
      }

      if (!dryRun) {
        let forgotten = 0;
        progress('forgetting', 0, decision.forget.length);
        await mapConcurrent(decision.forget, this.limiter.limit, async snapshot => {
          await this.backend.delete(snapshotKey(snapshot.id));
          this.snapshotDocs.delete(snapshot.id);
          if (this.cacheDir) await unlink(join(this.cacheDir, snapshot.id)).catch(() => undefined);
          progress('forgetting', ++forgotten, decision.forget.length);
        });
        progress('deleting', 0, doomed.length);
        const batch = 1000;
        for (let start = 0; start < doomed.length; start += batch) {
          const slice = doomed.slice(start, start + batch);
          if (this.backend.deleteMany) await this.backend.deleteMany(slice.map(d => d.key));
          else await mapConcurrent(slice, this.limiter.limit, d => this.backend.delete(d.key));
          for (const d of slice) this.knownIds.delete(d.id);
          progress('deleting', Math.min(start + batch, doomed.length), doomed.length);
        }
        // Listings cached before the deletions would now claim too much.
        this.loadedPrefixes.clear();
      }

      return {
        dryRun,
        kept: decision.keep
          .map(({ snapshot, reasons }) => ({ id: snapshot.id, time: snapshot.time, reasons }))
          .sort((a, b) => compareSnapshots(a, b)),
        forgotten: decision.forget.map(s => ({ id: s.id, time: s.time })).sort(compareSnapshots),
        removedBlobs: doomed.length,
        removedBytes: doomed.reduce((total, d) => total + d.size, 0),
        keptBlobs,
        keptBytes,
        removedTempFiles,
        durationMs: Date.now() - started,
      };
    } finally {
      await lock.release();
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /** Releases this handle's locks and network clients. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inflight.values()]);
    await this.locks.releaseAll();
    await this.backend.close?.();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('repository handle is closed');
  }
}

/** Runs `fn` on the options' backend or a new one, closing a new one if `fn` fails. */
async function withBackend<T>(
  location: string | RepositoryLocation,
  options: OpenOptions,
  fn: (backend: StorageBackend) => Promise<T>,
): Promise<T> {
  const backend = options.storage ?? (await createBackend(location, options.backend));
  try {
    return await fn(backend);
  } catch (error) {
    if (!options.storage) await backend.close?.().catch(() => undefined);
    throw error;
  }
}

function blobKey(id: string): string {
  return `data/${id.slice(0, 2)}/${id}`;
}

function snapshotKey(id: string): string {
  return `snapshots/${id}`;
}

function assertBlobId(id: string): void {
  if (!ID.test(id))
    throw new UserError('invalid-argument', `invalid content id "${id}"; expected 64 hex digits`);
}

function configAad(id: string): Buffer {
  return Buffer.from(`${REPOSITORY_FORMAT}:${REPOSITORY_VERSION}:${id}`, 'utf8');
}

function parseConfig(raw: Buffer, location: string): ConfigFile {
  let config: ConfigFile;
  try {
    config = JSON.parse(raw.toString('utf8')) as ConfigFile;
  } catch {
    config = undefined as unknown as ConfigFile;
  }
  if (!config || typeof config !== 'object' || config.format !== REPOSITORY_FORMAT) {
    throw new UserError(
      'corrupt',
      `the config file at ${location} is not a kube-backup repository config`,
    );
  }
  if (config.version > REPOSITORY_VERSION) {
    throw new UserError(
      'invalid-argument',
      `the repository at ${location} uses format version ${config.version}; this kube-backup reads up to ${REPOSITORY_VERSION}, upgrade it`,
    );
  }
  const kdf = config.kdf;
  if (
    !ID.test(config.id ?? '') ||
    typeof config.masterKey !== 'string' ||
    !kdf ||
    kdf.algorithm !== 'scrypt' ||
    ![kdf.N, kdf.r, kdf.p].every(n => Number.isInteger(n) && n > 0) ||
    kdf.N > 1 << 22 ||
    typeof kdf.salt !== 'string'
  ) {
    throw new UserError('corrupt', `the repository config at ${location} is damaged`);
  }
  return config;
}

async function unlockMaster(config: ConfigFile, password: string): Promise<Buffer> {
  const kek = await deriveKey(password, config.kdf);
  try {
    return decrypt(kek, Buffer.from(config.masterKey, 'base64'), configAad(config.id));
  } catch (error) {
    if (error instanceof IntegrityError)
      throw new UserError('wrong-password', 'wrong repository password');
    throw error;
  }
}

function parseRecords(data: Buffer): ObjectRecord[] | undefined {
  try {
    const value = JSON.parse(data.toString('utf8')) as unknown;
    return Array.isArray(value) ? (value as ObjectRecord[]) : undefined;
  } catch {
    return undefined;
  }
}

function objectRef(record: ObjectRecord): ObjectRef {
  return { group: record.group, kind: record.kind, namespace: record.namespace, name: record.name };
}

function describeObject(ref: ObjectRef): string {
  const kind = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  return `${kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function blobProblem(
  what: 'record-list' | 'object',
  id: string,
  read: BlobRead,
  referencedBy: VerifyReference[],
): VerifyProblem {
  const label = what === 'record-list' ? 'record list' : 'object blob';
  const first = referencedBy.find(r => r.object);
  const used = first?.object
    ? ` (${describeObject(first.object)} in snapshot ${first.snapshotId.slice(0, 8)}${referencedBy.length > 1 ? ` and ${referencedBy.length - 1} more` : ''})`
    : referencedBy.length > 0
      ? ` (snapshot ${referencedBy[0].snapshotId.slice(0, 8)}${referencedBy.length > 1 ? ` and ${referencedBy.length - 1} more` : ''})`
      : '';
  if (read.status === 'missing') {
    return {
      problem: 'missing',
      what,
      id,
      message: `${label} ${id} is missing${used}`,
      referencedBy,
    };
  }
  const reason = read.status === 'corrupt' ? read.reason : 'unreadable';
  return {
    problem: 'corrupt',
    what,
    id,
    message: `${label} ${id} is corrupt: ${reason}${used}`,
    referencedBy,
  };
}

function compareSnapshots(
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

function toBuffer(bytes: Uint8Array | string): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'kube-backup');
}
