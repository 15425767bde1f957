export type {
  ListOptions as StorageListOptions,
  PutOptions as StoragePutOptions,
  StorageBackend,
  StorageEntry,
} from './backend';
export { LocalBackend, type LocalBackendOptions } from './local-backend';
export type { S3BackendOptions } from './s3-backend';
export {
  createBackend,
  parseRepositoryLocation,
  type BackendOptions,
  type RepositoryLocation,
} from './location';
export type { LockInfo, LockKind, LockWait, RepositoryLock } from './locks';
export { MIN_TUNED_SCRYPT_N } from './crypto';
export {
  applyRetention,
  type KeepReason,
  type RetentionDecision,
  type RetentionGroupBy,
  type RetentionPolicy,
} from './retention';
export {
  newSnapshotId,
  Repository,
  type InitOptions,
  type KeyDerivation,
  type ListSnapshotsOptions,
  type ObjectRef,
  type OpenOptions,
  type PruneOptions,
  type PruneReport,
  type PutResult,
  type RepositoryProgress,
  type SessionStats,
  type StorageStats,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyReference,
  type VerifyReport,
} from './repository';
