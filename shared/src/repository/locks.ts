import { randomBytes } from 'node:crypto';
import { hostname as osHostname, userInfo } from 'node:os';
import { UserError } from '../errors';
import { listAll, type StorageBackend } from './storage/backend';
import type { RepositoryKeys } from './crypto';
import { mapConcurrent } from '../util/limiter';

export type LockKind = 'shared' | 'exclusive';

interface LockDocument {
  kind: LockKind;
  hostname: string;
  pid: number;
  username?: string;
  /** What holds it: backup, prune, verify… */
  operation?: string;
  created: string;
  /** Last refresh. */
  time: string;
}

/** A lock file as found in the repository. */
export interface LockInfo extends LockDocument {
  id: string;
  /** Older than the stale timeout, or held by a process of this host that no longer runs. */
  stale: boolean;
  /** Held by this process through this repository handle. */
  own: boolean;
}

export interface LockTimings {
  /** A lock not refreshed for this long is stale. Default 10 minutes. */
  staleMs: number;
  /** Held locks are rewritten this often. Default 1 minute. */
  refreshMs: number;
  /** The clock lock times are written and judged by (ms since the epoch). Default Date.now. */
  now?: () => number;
}

export const DEFAULT_LOCK_TIMINGS: LockTimings = { staleMs: 10 * 60_000, refreshMs: 60_000 };

/** A lock this process holds; refreshed in the background until released. */
export interface RepositoryLock {
  readonly id: string;
  readonly kind: LockKind;
  /** True once the lock file was found removed (another process judged it stale). */
  readonly lost: boolean;
  /**
   * Looks whether the lock file is still there, after any refresh under way: a commit
   * point calls it, so a lock taken away since the last refresh is noticed before it.
   */
  confirm(): Promise<boolean>;
  release(): Promise<void>;
}

/** How taking a lock copes with a conflicting one. */
export interface LockWait {
  /** How long to wait for conflicting locks to go; 0 fails at once. */
  timeoutMs: number;
  /** Called before each pause, with the lock in the way and how long it has waited so far. */
  onWait?: (holder: LockInfo, waitedMs: number) => void;
}

const LOCK_ID = /^[0-9a-f]{64}$/;
/** Pauses between attempts while waiting: short at first, then every few seconds. */
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 2000;

/** A live lock of another holder stands in the way. */
class LockConflict extends Error {
  constructor(readonly holder: LockInfo) {
    super('conflicting lock');
  }
}

/** Who takes locks: this host and process unless told otherwise. */
export interface LockOwner {
  hostname: string;
  pid: number;
}

export class LockManager {
  private readonly held = new Map<string, HeldLock>();
  private readonly owner: LockOwner;

  constructor(
    private readonly backend: StorageBackend,
    private readonly keys: RepositoryKeys,
    private readonly timings: LockTimings,
    owner?: Partial<LockOwner>,
  ) {
    this.owner = { hostname: owner?.hostname ?? osHostname(), pid: owner?.pid ?? process.pid };
    this.now = timings.now ?? Date.now;
  }

  /** One clock for writing lock times and judging them, here and in the locks held. */
  private readonly now: () => number;

  async list(): Promise<LockInfo[]> {
    const entries = await listAll(this.backend, 'locks/');
    const ids = entries.map(e => e.key.slice('locks/'.length)).filter(id => LOCK_ID.test(id));
    const infos = await mapConcurrent(ids, 16, id => this.read(id));
    return infos.filter((info): info is LockInfo => info !== undefined);
  }

  private async read(id: string): Promise<LockInfo | undefined> {
    const sealed = await this.backend.get(`locks/${id}`);
    if (!sealed) return undefined;
    let doc: LockDocument;
    try {
      doc = JSON.parse(this.keys.open(sealed, `lock:${id}`).toString('utf8')) as LockDocument;
    } catch {
      // Unreadable lock files cannot be honoured; treat them as stale so they get cleared.
      const epoch = new Date(0).toISOString();
      return {
        id,
        kind: 'shared',
        hostname: 'unknown',
        pid: 0,
        created: epoch,
        time: epoch,
        stale: true,
        own: false,
      };
    }
    const own = this.held.has(id);
    return { id, ...doc, own, stale: !own && this.isStale(doc) };
  }

  private isStale(doc: LockDocument): boolean {
    const time = Date.parse(doc.time);
    if (!Number.isFinite(time) || this.now() - time > this.timings.staleMs) return true;
    return doc.hostname === osHostname() && doc.pid !== process.pid && !processAlive(doc.pid);
  }

  /**
   * Takes a lock. Shared locks coexist with each other; an exclusive lock coexists with
   * nothing. Stale locks are removed on the way. Locks this handle already holds never
   * conflict with it. A conflicting lock is waited for up to `wait.timeoutMs`, trying
   * again after growing pauses; then the error names its holder and how long it waited.
   */
  async acquire(
    kind: LockKind,
    operation: string,
    wait: LockWait = { timeoutMs: 0 },
  ): Promise<RepositoryLock> {
    // How long it has waited is real time, as the pauses between tries are.
    const started = Date.now();
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      try {
        return await this.tryAcquire(kind, operation);
      } catch (error) {
        if (!(error instanceof LockConflict)) throw error;
        const waited = Date.now() - started;
        if (waited >= wait.timeoutMs) {
          throw lockedError(error.holder, this.now(), wait.timeoutMs > 0 ? waited : undefined);
        }
        wait.onWait?.(error.holder, waited);
        await new Promise(resolve => setTimeout(resolve, Math.min(pause, wait.timeoutMs - waited)));
      }
    }
  }

  private async tryAcquire(kind: LockKind, operation: string): Promise<RepositoryLock> {
    const conflicting = (locks: LockInfo[], self?: string) =>
      locks.filter(
        lock =>
          !lock.stale &&
          !lock.own &&
          lock.id !== self &&
          (kind === 'exclusive' || lock.kind === 'exclusive'),
      );
    const before = await this.list();
    await this.removeStale(before);
    const blocking = conflicting(before);
    if (blocking.length > 0) throw new LockConflict(blocking[0]);

    const id = randomBytes(32).toString('hex');
    const now = new Date(this.now()).toISOString();
    const doc: LockDocument = {
      kind,
      hostname: this.owner.hostname,
      pid: this.owner.pid,
      username: safeUsername(),
      operation,
      created: now,
      time: now,
    };
    await this.backend.put(`locks/${id}`, sealLock(this.keys, id, doc), { ifAbsent: true });
    // Someone may have taken a conflicting lock while ours was being written; if so both
    // see each other here and both back off, which is safe.
    const after = conflicting(await this.list(), id);
    if (after.length > 0) {
      await this.backend.delete(`locks/${id}`);
      throw new LockConflict(after[0]);
    }
    return new HeldLock(id, doc, this.backend, this.keys, this.timings, this.now, this.held);
  }

  private async removeStale(locks: LockInfo[]): Promise<void> {
    await mapConcurrent(
      locks.filter(lock => lock.stale),
      8,
      lock => this.backend.delete(`locks/${lock.id}`),
    );
  }

  /** Removes stale locks, or every lock not held by this handle with `all`; returns how many. */
  async unlock(options: { all?: boolean } = {}): Promise<number> {
    const locks = (await this.list()).filter(lock => !lock.own && (options.all || lock.stale));
    await mapConcurrent(locks, 8, lock => this.backend.delete(`locks/${lock.id}`));
    return locks.length;
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...new Set(this.held.values())].map(lock => lock.release()));
  }
}

/**
 * A held lock. Refreshing writes a fresh lock file under a new id before removing the old
 * one, so one of them is always there for others to see; if the old one has vanished in
 * the meantime, someone judged the lock stale and took it away, and the lock is lost.
 */
class HeldLock implements RepositoryLock {
  lost = false;
  readonly kind: LockKind;
  private currentId: string;
  private released = false;
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> = Promise.resolve();
  private lastRefresh: number;

  constructor(
    id: string,
    private readonly doc: LockDocument,
    private readonly backend: StorageBackend,
    private readonly keys: RepositoryKeys,
    private readonly timings: LockTimings,
    private readonly now: () => number,
    private readonly registry: Map<string, HeldLock>,
  ) {
    this.currentId = id;
    this.lastRefresh = now();
    this.kind = doc.kind;
    registry.set(id, this);
    this.timer = setInterval(() => {
      this.refreshing = this.refreshing.then(() => this.refresh());
    }, timings.refreshMs);
    this.timer.unref();
  }

  get id(): string {
    return this.currentId;
  }

  private async refresh(): Promise<void> {
    if (this.released || this.lost) return;
    const oldId = this.currentId;
    const newId = randomBytes(32).toString('hex');
    this.registry.set(newId, this);
    try {
      const doc = { ...this.doc, time: new Date(this.now()).toISOString() };
      await this.backend.put(`locks/${newId}`, sealLock(this.keys, newId, doc), { ifAbsent: true });
      if (!(await this.backend.exists(`locks/${oldId}`))) {
        this.lost = true;
        this.registry.delete(newId);
        await this.backend.delete(`locks/${newId}`);
        return;
      }
      this.currentId = newId;
      this.registry.delete(oldId);
      this.lastRefresh = this.now();
      await this.backend.delete(`locks/${oldId}`);
    } catch {
      // Storage hiccup: try again next time. A lock not refreshed for the stale timeout
      // may have been taken away, so it counts as lost from then on.
      if (this.currentId !== newId) {
        this.registry.delete(newId);
        await this.backend.delete(`locks/${newId}`).catch(() => undefined);
      }
      if (this.now() - this.lastRefresh > this.timings.staleMs) this.lost = true;
    }
  }

  confirm(): Promise<boolean> {
    // Queued behind refreshes, so the id looked at is not being replaced meanwhile.
    const check = this.refreshing.then(async () => {
      if (!this.lost && !(await this.backend.exists(`locks/${this.currentId}`))) this.lost = true;
    });
    this.refreshing = check.catch(() => undefined);
    return check.then(() => !this.lost);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    await this.refreshing.catch(() => undefined);
    this.registry.delete(this.currentId);
    await this.backend.delete(`locks/${this.currentId}`);
  }
}

function sealLock(keys: RepositoryKeys, id: string, doc: LockDocument): Buffer {
  return keys.seal(Buffer.from(JSON.stringify(doc)), `lock:${id}`);
}

function lockedError(holder: LockInfo, now: number, waitedMs?: number): UserError {
  const age = Math.max(0, Math.round((now - Date.parse(holder.time)) / 1000));
  const operation = holder.operation ?? 'another process';
  const user = holder.username ? `, user ${holder.username}` : '';
  const waited =
    waitedMs === undefined ? '' : `; waited ${Math.round(waitedMs / 1000)}s for it to finish`;
  return new UserError(
    'repository-locked',
    `repository is locked by ${operation} on host ${holder.hostname} ` +
      `(pid ${holder.pid}${user}, ${holder.kind} lock refreshed ${age}s ago)${waited}`,
    waitedMs === undefined ? {} : { waitedMs },
  );
}

/** Whether a process of this host runs (one we may not signal counts as running). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

function safeUsername(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
