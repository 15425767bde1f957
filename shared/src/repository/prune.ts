import { UserError } from '../errors';
import { mapConcurrent } from '../util/limiter';
import type { StoredBlob } from './blob-store';
import type { RepositoryParts, RepositoryProgress } from './parts';
import { recordListUsers, walkRecordLists } from './reachability';
import {
  applyRetention,
  validateRetentionPolicy,
  type KeepReason,
  type RetentionGroupBy,
  type RetentionPolicy,
} from './retention';
import { compareSnapshots } from './snapshot-store';

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

/** Blobs deleted per storage call (S3 DeleteObjects takes up to 1000 keys). */
const DELETE_BATCH = 1000;

/**
 * Forgets snapshots the retention policy does not keep (none without a policy), then
 * removes every blob no remaining snapshot refers to, under an exclusive lock. With
 * `dryRun` it only reports what it would remove.
 */
export async function pruneRepository(
  parts: RepositoryParts,
  options: PruneOptions,
): Promise<PruneReport> {
  validateRetentionPolicy(options);
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const progress = (phase: RepositoryProgress['phase'], done: number, total?: number) =>
    options.onProgress?.({ operation: 'prune', phase, done, total });

  progress('locking', 0);
  const lock = await parts.lock('exclusive', dryRun ? 'prune (dry run)' : 'prune');
  try {
    const removedTempFiles = dryRun
      ? 0
      : ((await parts.backend.cleanup?.(Math.max(parts.lockStaleMs, 60_000))) ?? 0);

    progress('snapshots', 0);
    // An unreadable snapshot hides what it refers to: stop rather than delete its data.
    const snapshots = await parts.snapshots.list({
      onError: (id, error) => {
        throw new UserError(
          'corrupt',
          `snapshot ${id.slice(0, 8)} cannot be read (${error.code}), so prune stopped without removing anything`,
        );
      },
    });
    progress('snapshots', snapshots.length, snapshots.length);
    const decision = applyRetention(snapshots, options, options.groupBy);

    const lists = recordListUsers(decision.keep.map(({ snapshot }) => snapshot));
    progress('record-lists', 0, lists.size);
    const walked = await walkRecordLists(parts.blobs, lists, {
      concurrency: parts.concurrency,
      onUnreadable: (list, users, why) => {
        const state = why.status === 'missing' ? 'missing' : 'corrupt';
        throw new UserError(
          'corrupt',
          `record list ${list.slice(0, 12)} of snapshot ${users[0].slice(0, 8)} is ${state}, so prune stopped without removing anything`,
        );
      },
      onList: (done, total) => progress('record-lists', done, total),
    });
    const reachable = new Set([...walked.lists, ...walked.contents]);

    progress('listing', 0);
    const blobs: StoredBlob[] = [];
    for await (const blob of parts.blobs.stored({ withSize: true })) blobs.push(blob);
    progress('listing', blobs.length, blobs.length);
    const doomed = blobs.filter(blob => !reachable.has(blob.id));
    const kept = blobs.filter(blob => reachable.has(blob.id));

    if (!dryRun) {
      let forgotten = 0;
      progress('forgetting', 0, decision.forget.length);
      await mapConcurrent(decision.forget, parts.concurrency, async snapshot => {
        await parts.snapshots.forget(snapshot.id);
        progress('forgetting', ++forgotten, decision.forget.length);
      });
      progress('deleting', 0, doomed.length);
      for (let start = 0; start < doomed.length; start += DELETE_BATCH) {
        await parts.blobs.remove(doomed.slice(start, start + DELETE_BATCH));
        progress('deleting', Math.min(start + DELETE_BATCH, doomed.length), doomed.length);
      }
      // Listings cached before the deletions would now claim too much.
      parts.blobs.forgetListings();
    }

    return {
      dryRun,
      kept: decision.keep
        .map(({ snapshot, reasons }) => ({ id: snapshot.id, time: snapshot.time, reasons }))
        .sort((a, b) => compareSnapshots(a, b)),
      forgotten: decision.forget.map(s => ({ id: s.id, time: s.time })).sort(compareSnapshots),
      removedBlobs: doomed.length,
      removedBytes: sumSizes(doomed),
      keptBlobs: kept.length,
      keptBytes: sumSizes(kept),
      removedTempFiles,
      durationMs: Date.now() - started,
    };
  } finally {
    await lock.release();
  }
}

function sumSizes(blobs: readonly StoredBlob[]): number {
  return blobs.reduce((total, blob) => total + blob.size, 0);
}
