export type {
  ListOptions as StorageListOptions,
  PutOptions as StoragePutOptions,
  StorageBackend,
  StorageEntry,
} from './storage/backend';
export { LocalBackend, type LocalBackendOptions } from './storage/local-backend';
export type { S3BackendOptions } from './storage/s3-backend';
export {
  createBackend,
  parseRepositoryLocation,
  type BackendOptions,
  type RepositoryLocation,
} from './storage/location';
export type { LockInfo, LockKind, LockWait, RepositoryLock } from './locks';
export { MIN_TUNED_SCRYPT_N } from './crypto';
export {
  applyRetention,
  type KeepReason,
  type RetentionDecision,
  type RetentionGroupBy,
  type RetentionPolicy,
} from './retention';
export { Repository, type InitOptions, type OpenOptions } from './repository';
export type { KeyDerivation } from './config';
export type { PutResult, SessionStats, StorageStats } from './blob-store';
export { newSnapshotId, type ListSnapshotsOptions } from './snapshot-store';
export type { RepositoryProgress } from './parts';
export type {
  ObjectRef,
  VerifyOptions,
  VerifyProblem,
  VerifyReference,
  VerifyReport,
} from './verify';
export type { PruneOptions, PruneReport } from './prune';
