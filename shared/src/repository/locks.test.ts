import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import type { RepositoryKeys } from './crypto';
import { LocalBackend } from './storage/local-backend';
import { DEFAULT_LOCK_TIMINGS, LockManager, type LockInfo } from './locks';
import { Repository, type OpenOptions } from './repository';
import { FAST_KDF, snapshotDoc, tempDir } from './testing';

const PASSWORD = 'pw';
let dir: { path: string; remove(): Promise<void> };
let location: string;
const handles: Repository[] = [];

beforeEach(async () => {
  dir = await tempDir();
  location = join(dir.path, 'repo');
  handles.push(await Repository.init(location, PASSWORD, { kdf: FAST_KDF }));
});

afterEach(async () => {
  await Promise.all(handles.splice(0).map(h => h.close()));
  await dir.remove();
});

async function openRepo(options: OpenOptions = {}): Promise<Repository> {
  const repo = await Repository.open(location, PASSWORD, options);
  handles.push(repo);
  return repo;
}

/** A lock written as another process (or host) would, through the repository's keys. */
function foreignLocks(repo: Repository, owner: { hostname?: string; pid?: number }) {
  const keys = (repo as unknown as { keys: RepositoryKeys }).keys;
  return new LockManager(
    new LocalBackend(location),
    keys,
    { staleMs: 3_600_000, refreshMs: 3_600_000 },
    owner,
  );
}

async function lockFiles(): Promise<string[]> {
  return readdir(join(location, 'locks')).catch(() => []);
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid as number;
  await new Promise(resolve => child.once('exit', resolve));
  return pid;
}

/** The handle's lock once its refresh timer has rewritten it (polled: the timer is its own). */
async function refreshedLock(repo: Repository, before: LockInfo): Promise<LockInfo> {
  for (;;) {
    const [lock] = await repo.listLocks();
    if (lock && Date.parse(lock.time) > Date.parse(before.time)) return lock;
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('repository locks', () => {
  it('lets two backups hold shared locks at once', async () => {
    const a = await openRepo();
    const b = await openRepo();
    const [la, lb] = await Promise.all([a.lock('shared', 'backup'), b.lock('shared', 'backup')]);
    const locks = await a.listLocks();
    expect(locks.map(l => l.id).sort()).toEqual([la.id, lb.id].sort());
    expect(
      locks.every(l => l.kind === 'shared' && l.hostname === hostname() && l.pid === process.pid),
    ).toBe(true);
    await la.release();
    await lb.release();
    expect(await lockFiles()).toEqual([]);
  });

  it('refuses prune while a backup writes, naming the holder, and allows it afterwards', async () => {
    const writer = await openRepo();
    await writer.putJson({ some: 'object' });
    const pruner = await openRepo();
    const error = await rejection(pruner.prune());
    expect(error.code).toBe('repository-locked');
    expect(error.message).toMatch(
      new RegExp(
        `^repository is locked by backup on host ${hostname()} \\(pid ${process.pid}.*shared lock`,
      ),
    );
    expect(error.message).not.toContain('\n');
    await writer.close();
    expect((await pruner.prune()).removedBlobs).toBe(1);
    expect(await lockFiles()).toEqual([]);
  });

  it('ends a write session without closing the handle, so a long-lived process lets prune run', async () => {
    const service = await openRepo();
    const { id: list } = await service.putJson([]);
    await service.saveSnapshot(snapshotDoc({ recordLists: [list] }));
    await service.putJson({ leftover: true });
    await service.endWriteSession();
    expect(await lockFiles()).toEqual([]);
    const pruner = await openRepo();
    expect((await pruner.prune()).removedBlobs).toBe(1);
    // The next write starts a new session, which sees the prune's removals.
    expect((await service.putJson({ leftover: true })).isNew).toBe(true);
    expect(await lockFiles()).toHaveLength(1);
  });

  it('refuses a backup while prune holds the exclusive lock', async () => {
    const pruning = await openRepo();
    const exclusive = await pruning.lock('exclusive', 'prune');
    const writer = await openRepo();
    const error = await rejection(writer.putJson({ a: 1 }));
    expect(error.code).toBe('repository-locked');
    expect(error.message).toMatch(/locked by prune on host .* exclusive lock/);
    // A second exclusive lock is refused too.
    expect((await rejection(writer.lock('exclusive'))).code).toBe('repository-locked');
    await exclusive.release();
    expect((await writer.putJson({ a: 1 })).isNew).toBe(true);
  });

  it('lets a backup wait for a prune, reporting the holder, and fail after the limit', async () => {
    const exclusive = await (await openRepo()).lock('exclusive', 'prune');
    const waits: string[] = [];
    const writer = await openRepo({
      lockWaitMs: 300,
      onLockWait: holder => waits.push(holder.operation ?? ''),
    });
    const error = await rejection(writer.putJson({ a: 1 }));
    expect(error.code).toBe('repository-locked');
    expect(error.message).toMatch(/locked by prune on host .*; waited \d+s for it to finish$/);
    expect(error.details.waitedMs).toBeGreaterThanOrEqual(300);
    expect(waits.length).toBeGreaterThan(0);
    expect(new Set(waits)).toEqual(new Set(['prune']));
    await exclusive.release();
  });

  it('lets a waiting backup go ahead as soon as the prune releases its lock', async () => {
    const exclusive = await (await openRepo()).lock('exclusive', 'prune');
    // Released from the first wait notice: the backup must then take its lock and write.
    const writer = await openRepo({
      lockWaitMs: 600_000,
      onLockWait: () => void exclusive.release(),
    });
    expect((await writer.putJson({ a: 1 })).isNew).toBe(true);
  });

  it('ignores and removes the lock of a dead process on this host', async () => {
    const repo = await openRepo();
    const pid = await deadPid();
    await foreignLocks(repo, { pid }).acquire('exclusive', 'prune');
    const [info] = await repo.listLocks();
    expect(info).toMatchObject({ pid, stale: true, kind: 'exclusive' });
    expect((await repo.putJson({ b: 2 })).isNew).toBe(true);
    const report = await repo.prune();
    expect(report.removedBlobs).toBe(1);
    expect((await repo.listLocks()).filter(l => l.pid === pid)).toEqual([]);
  });

  it('treats a lock from another host as live until it is older than the stale timeout', async () => {
    const repo = await openRepo();
    await foreignLocks(repo, { hostname: 'build-agent-7', pid: 4242 }).acquire('shared', 'backup');
    const error = await rejection(repo.prune());
    expect(error.message).toMatch(/locked by backup on host build-agent-7 \(pid 4242/);

    // Ten minutes and a bit later, by the clock of another handle: now it is stale.
    const later = await openRepo({
      lockClock: () => Date.now() + DEFAULT_LOCK_TIMINGS.staleMs + 60_000,
    });
    expect((await later.listLocks())[0]).toMatchObject({
      hostname: 'build-agent-7',
      stale: true,
    });
    await later.prune();
    expect(await lockFiles()).toEqual([]);
  });

  it('refreshes held locks on their timer, keeping when they were created', async () => {
    const repo = await openRepo({ lockRefreshMs: 40 });
    await repo.putJson([]);
    const [before] = await repo.listLocks();
    const after = await refreshedLock(repo, before);
    expect(after.id).not.toBe(before.id);
    expect(after.created).toBe(before.created);
  });

  it('saves no snapshot once another process took its lock away', async () => {
    const repo = await openRepo();
    const { id: list } = await repo.putJson([]);
    // Another process judged the lock stale and removed it, between two refreshes.
    const other = await openRepo();
    expect(await other.unlock({ all: true })).toBe(1);
    const error = await rejection(repo.saveSnapshot(snapshotDoc({ recordLists: [list] })));
    expect(error.code).toBe('repository-locked');
    expect(error.message).toMatch(/lock was lost/);
    expect(await other.listSnapshots()).toEqual([]);
  });

  it('unlock removes stale locks only, unless asked for all', async () => {
    const repo = await openRepo();
    const pid = await deadPid();
    // (Taking a lock clears stale ones, so the live one goes first.)
    await foreignLocks(repo, { hostname: 'elsewhere', pid: 1 }).acquire('shared', 'backup');
    await foreignLocks(repo, { pid }).acquire('shared', 'backup');
    expect(await repo.unlock()).toBe(1);
    expect((await repo.listLocks()).map(l => l.hostname)).toEqual(['elsewhere']);
    expect(await repo.unlock({ all: true })).toBe(1);
    expect(await repo.listLocks()).toEqual([]);
  });
});
