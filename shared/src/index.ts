// The engine's public surface: the names the kubectl plugin and the Backstage backend use.
// Everything else is internal to core; a name joins this list when a caller needs it.

export {
  UserError,
  type UserErrorCode,
  type UserErrorDetails,
  type UserErrorInput,
} from './errors';
export type { ImageRecord, KubeObject, ObjectRecord, Snapshot } from './snapshot/types';

export { connectToCluster, type ClusterConnection, type ConnectOptions } from './cluster/connect';
export { discoverResourceTypes } from './cluster/discovery';
export { KubeApiError } from './cluster/kube-api-error';
export type { ResourceType } from './cluster/resource-types';
export { isProtectedNamespace } from './protection/protected-namespaces';
export { matchesLabels, parseLabelSelector, type LabelSelector } from './selectors/label-selector';

export { BACKSTAGE_ID_LABEL } from './capture/annotations';
export { captureSnapshot, type CaptureProgress } from './capture/capture-snapshot';
export { markForCapture } from './capture/mark-for-capture';
export { listMarked } from './capture/list-marked';

export { findSnapshots, parseTimeBound } from './catalog/find-snapshots';
export {
  getSnapshotObject,
  loadRecords,
  parseObjectReference,
  recordMatches,
} from './catalog/snapshot-records';

export { Repository, type OpenOptions } from './repository';

export {
  parseAssignments,
  parseMapping,
  parsePatchRules,
  planRestore,
  restoreSnapshot,
  TIERS,
  type ExistingPolicy,
  type ObjectOutcome,
  type PatchRule,
  type RecordSelection,
  type RestoreProgress,
  type RestoreReport,
  type SafetyOverride,
  type VolumeOutcome,
} from './restore';
export { hydrateSnapshot, type HydrateReport } from './hydrate';
export {
  pruneVolumeData,
  removeLeftovers,
  verifyVolumeData,
  volumeDataCapture,
  volumeDataRestore,
  VOLUME_SELECTIONS,
  type VolumeDataSettings,
  type VolumeProgress,
  type VolumePruneReport,
  type VolumeSelection,
} from './volumes';
export {
  claimName,
  copyOut,
  fileHistory,
  listFiles,
  openResticReader,
  restoreFiles,
  volumeAt,
  volumePath,
  type ExistingFilePolicy,
  type FileEntry,
  type FilesRestoreReport,
  type FileVersion,
  type ReaderChoice,
  type ResticReader,
  type VolumeAtSnapshot,
} from './files';
