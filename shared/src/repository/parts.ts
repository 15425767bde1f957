import type { BlobStore } from './blob-store';
import type { LockKind, RepositoryLock } from './locks';
import type { SnapshotStore } from './snapshot-store';
import type { StorageBackend } from './storage/backend';

/** What the repository-wide operations (verify, prune) work on: one open handle's parts. */
export interface RepositoryParts {
  backend: StorageBackend;
  blobs: BlobStore;
  snapshots: SnapshotStore;
  /** Storage operations in flight at once. */
  concurrency: number;
  /** Takes a lock, waiting for a conflicting one as the handle was opened to. */
  lock(kind: LockKind, operation: string): Promise<RepositoryLock>;
  /** A lock not refreshed for this long is stale. */
  lockStaleMs: number;
}

export interface RepositoryProgress {
  operation: 'verify' | 'prune';
  phase: 'locking' | 'snapshots' | 'record-lists' | 'blobs' | 'listing' | 'forgetting' | 'deleting';
  done: number;
  total?: number;
}
