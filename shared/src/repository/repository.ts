// The Repository facade: the one public API over the parts (config and keys, blob store,
// snapshot store and cache, locks, verify, prune). It is over 400 lines because the API is
// wide and each method carries its contract as a doc comment; the methods themselves only
// check the handle's state, take the session lock and delegate.
import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';
import { ConcurrencyLimiter } from '../util/limiter';
import { BlobStore, type PutResult, type SessionStats, type StorageStats } from './blob-store';
import {
  keyDerivationOf,
  newConfig,
  parseConfig,
  rewrapConfig,
  serializeConfig,
  unlockMaster,
  volumeDataPassword,
  type ConfigFile,
  type KeyDerivation,
} from './config';
import { RepositoryKeys } from './crypto';
import { CONFIG_KEY, isId, REPOSITORY_FOLDERS } from './layout';
import {
  DEFAULT_LOCK_TIMINGS,
  LockManager,
  type LockInfo,
  type LockKind,
  type LockWait,
  type RepositoryLock,
} from './locks';
import type { RepositoryParts } from './parts';
import { pruneRepository, type PruneOptions, type PruneReport } from './prune';
import { SnapshotCache } from './snapshot-cache';
import { newSnapshotId, SnapshotStore, type ListSnapshotsOptions } from './snapshot-store';
import type { StorageBackend } from './storage/backend';
import { createBackend, type BackendOptions, type RepositoryLocation } from './storage/location';
import { verifyRepository, type VerifyOptions, type VerifyReport } from './verify';

/*
 * The repository handle: creating and opening (config and keys), the write session and its
 * lock, and the public `Repository` API over the parts (blob store, snapshot store, verify,
 * prune). Over 400 lines because that API keeps its documentation here, in one class users
 * read; the work itself is in the parts, each method here a few lines.
 */

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
  /** The clock lock ages are judged by (ms since the epoch). Default Date.now. */
  lockClock?: () => number;
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

/**
 * A content-addressed, compressed and encrypted repository of snapshots. See FORMAT.md.
 *
 * The first write (putBlob, putJson, saveSnapshot, deleteSnapshot) takes a shared lock that
 * the handle keeps until endWriteSession() or close(), so prune cannot remove content the
 * handle has seen as present. A process that keeps a handle open between backups should
 * call endWriteSession() after each one.
 */
export class Repository {
  private readonly keys: RepositoryKeys;
  private readonly limiter: ConcurrencyLimiter;
  private readonly locks: LockManager;
  private readonly blobs: BlobStore;
  private readonly snapshots: SnapshotStore;
  private readonly lockStaleMs: number;
  private readonly lockWait: LockWait;
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
    this.locks = new LockManager(backend, this.keys, {
      staleMs: this.lockStaleMs,
      refreshMs: options.lockRefreshMs ?? DEFAULT_LOCK_TIMINGS.refreshMs,
      now: options.lockClock,
    });
    this.blobs = new BlobStore(backend, this.keys, this.limiter, () => this.ensureSessionLock());
    const cache =
      backend.kind !== 'local' && options.cacheDir !== false
        ? SnapshotCache.forRepository(config.id, options.cacheDir)
        : undefined;
    this.snapshots = new SnapshotStore(
      backend,
      this.keys,
      this.limiter,
      cache,
      options.onUnreadableSnapshot,
    );
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
    return keyDerivationOf(this.config);
  }

  /**
   * The password of the volume-data (restic) repository beside this one, derived from the
   * master key: whoever can open this repository can open that one, and nobody handles a
   * second secret. Changing this repository's password leaves it unchanged.
   */
  volumeDataPassword(): string {
    return volumeDataPassword(this.master);
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
    if (await backend.exists(CONFIG_KEY)) {
      throw new UserError(
        'repository-exists',
        `a repository already exists at ${backend.location}`,
      );
    }
    await backend.prepare?.(REPOSITORY_FOLDERS);
    const { config, master } = await newConfig(password, options.kdf);
    const written = await backend.put(CONFIG_KEY, serializeConfig(config), { ifAbsent: true });
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
      const raw = await backend.get(CONFIG_KEY);
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
      return await backend.exists(CONFIG_KEY);
    } finally {
      if (!options.storage) await backend.close?.();
    }
  }

  /** Re-encrypts the master key under a new password; data is untouched. */
  async changePassword(newPassword: string, options: Pick<InitOptions, 'kdf'> = {}): Promise<void> {
    if (!newPassword) throw new UserError('invalid-argument', 'the repository password is empty');
    const raw = await this.backend.get(CONFIG_KEY);
    if (!raw) throw new UserError('repository-missing', `no repository at ${this.location}`);
    const current = parseConfig(raw, this.location);
    if (current.id !== this.config.id) {
      throw new UserError(
        'conflict',
        `the repository at ${this.location} was replaced by another one`,
      );
    }
    const next = await rewrapConfig(current, this.master, newPassword, options.kdf);
    await this.backend.put(CONFIG_KEY, serializeConfig(next));
    await this.backend.flush?.();
    this.config = next;
  }

  // ---- blobs -------------------------------------------------------------------------

  /** The id content would get, without storing it. */
  contentId(bytes: Uint8Array | string): string {
    return this.blobs.contentId(bytes);
  }

  /**
   * Stores content once. Writing content the repository already holds is a no-op that
   * reports `isNew: false` (known ids are listed once per fan-out folder and then cached, so
   * re-used content costs no round trip). Safe to call with many writes in flight.
   */
  putBlob(bytes: Uint8Array | string): Promise<PutResult> {
    this.assertOpen();
    return this.blobs.put(bytes);
  }

  /** Reads content back, checking it is authentic and matches its id. */
  getBlob(id: string): Promise<Buffer> {
    return this.blobs.get(id);
  }

  /** Stores a JSON value (keys sorted, so equal values share one blob). */
  putJson(value: unknown): Promise<PutResult> {
    this.assertOpen();
    return this.blobs.putJson(value);
  }

  getJson<T>(id: string): Promise<T> {
    return this.blobs.getJson<T>(id);
  }

  /** Whether the repository holds content with this id. */
  hasBlob(id: string): Promise<boolean> {
    return this.blobs.has(id);
  }

  /** What this handle wrote and re-used so far. */
  sessionStats(): SessionStats {
    return this.blobs.sessionStats();
  }

  /** Total stored bytes and counts. */
  storageStats(): Promise<StorageStats> {
    return this.blobs.storageStats();
  }

  // ---- snapshots ---------------------------------------------------------------------

  /** Every snapshot document, oldest first. */
  listSnapshots(options: ListSnapshotsOptions = {}): Promise<Snapshot[]> {
    return this.snapshots.list(options);
  }

  /** One snapshot by full id, unique prefix or `latest`. */
  getSnapshot(ref: string): Promise<Snapshot> {
    return this.snapshots.get(ref);
  }

  /**
   * Turns what a user typed into a snapshot id: a full id, a unique prefix, or `latest`
   * (the newest by time).
   */
  resolveSnapshotId(ref: string): Promise<string> {
    return this.snapshots.resolveId(ref);
  }

  /**
   * Writes a snapshot document, which makes the snapshot visible. Call it last, once every
   * blob it refers to is stored. An empty or missing `id` gets a new random one.
   */
  async saveSnapshot(doc: Omit<Snapshot, 'id'> & { id?: string }): Promise<Snapshot> {
    this.assertOpen();
    const id = doc.id ? doc.id : newSnapshotId();
    if (!isId(id))
      throw new UserError(
        'invalid-argument',
        `invalid snapshot id "${id}"; expected 64 hex digits`,
      );
    const lock = await this.ensureSessionLock();
    for (const list of new Set(doc.recordLists ?? [])) {
      if (!(await this.blobs.isStored(list))) {
        throw new Error(`snapshot refers to record list ${list}, which is not in the repository`);
      }
    }
    if (!(await lock.confirm())) {
      throw new UserError(
        'repository-locked',
        'the repository lock was lost while writing (another process removed it as stale); the snapshot was not saved, run the backup again',
      );
    }
    // Everything the snapshot refers to must be durable before the snapshot is.
    await this.backend.flush?.();
    return this.snapshots.write({ ...doc, id } as Snapshot);
  }

  /** Removes a snapshot document (full id or unique prefix). Its data stays until prune. */
  async deleteSnapshot(ref: string): Promise<void> {
    this.assertOpen();
    const id = isId(ref) ? ref : await this.resolveSnapshotId(ref);
    await this.ensureSessionLock();
    await this.snapshots.delete(id);
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
    await this.blobs.settle();
    const lock = this.sessionLock;
    this.sessionLock = undefined;
    this.blobs.forgetKnown();
    if (lock) await (await lock.catch(() => undefined))?.release();
  }

  private ensureSessionLock(): Promise<RepositoryLock> {
    if (!this.sessionLock) {
      this.sessionLock = this.locks.acquire('shared', 'backup', this.lockWait);
      this.sessionLock.catch(() => (this.sessionLock = undefined));
    }
    return this.sessionLock;
  }

  // ---- verify and prune --------------------------------------------------------------

  /**
   * Re-reads every blob reachable from the snapshots (or from one snapshot), checks that it
   * decrypts, decompresses and hashes to its id, and names every missing or corrupt one with
   * the snapshots and objects that refer to it.
   */
  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    this.assertOpen();
    return verifyRepository(this.parts(), options);
  }

  /**
   * Forgets snapshots the retention policy does not keep (none without a policy), then
   * removes every blob no remaining snapshot refers to, under an exclusive lock. With
   * `dryRun` it only reports what it would remove.
   */
  prune(options: PruneOptions = {}): Promise<PruneReport> {
    this.assertOpen();
    return pruneRepository(this.parts(), options);
  }

  private parts(): RepositoryParts {
    return {
      backend: this.backend,
      blobs: this.blobs,
      snapshots: this.snapshots,
      concurrency: this.limiter.limit,
      lock: (kind, operation) => this.locks.acquire(kind, operation, this.lockWait),
      lockStaleMs: this.lockStaleMs,
    };
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /** Releases this handle's locks and network clients. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.blobs.settle();
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
