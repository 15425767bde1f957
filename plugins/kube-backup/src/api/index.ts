export { KubeBackupClient, entityPath, type KubeBackupClientOptions } from './KubeBackupClient';
export { kubeBackupApiRef } from './ref';
export type { EntityName, HydrationRequest, KubeBackupApi, SnapshotQuery } from './types';
