/**
 * kube-backup for Backstage: an entity's snapshots, hydration into dev/test namespaces and
 * restore requests, over the kube-backup backend plugin.
 *
 * @packageDocumentation
 */
export { kubeBackupPlugin, EntityKubeBackupContent, EntityKubeBackupCard } from './plugin';
export { isKubeBackupAvailable } from '@kube-backup/backstage-plugin-kube-backup-common';
export {
  KubeBackupClient,
  kubeBackupApiRef,
  type DownloadedFile,
  type EntityName,
  type HydrationRequest,
  type KubeBackupApi,
  type KubeBackupClientOptions,
  type SnapshotQuery,
  type VolumeRef,
} from './api';
export { KubeBackupContent, type KubeBackupContentProps } from './components/KubeBackupContent';
export { KubeBackupCard } from './components/KubeBackupCard';
