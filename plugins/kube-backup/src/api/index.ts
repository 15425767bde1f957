export { KubeBackupClient, entityPath, type KubeBackupClientOptions } from './KubeBackupClient';
export { kubeBackupApiRef } from './ref';
export type {
  DownloadedFile,
  EntityName,
  HydrationRequest,
  KubeBackupApi,
  SnapshotQuery,
  VolumeRef,
} from './types';
