import { createPermission } from '@backstage/plugin-permission-common';

/** The catalog's resource type: every kube-backup permission is about one entity. */
export const KUBE_BACKUP_RESOURCE_TYPE = 'catalog-entity';

/** See an entity's snapshots and their contents. */
export const kubeBackupSnapshotsReadPermission = createPermission({
  name: 'kube-backup.snapshots.read',
  attributes: { action: 'read' },
  resourceType: KUBE_BACKUP_RESOURCE_TYPE,
});

/** Hydrate an entity's components from a snapshot into an allowed dev/test target. */
export const kubeBackupHydratePermission = createPermission({
  name: 'kube-backup.hydrate',
  attributes: { action: 'create' },
  resourceType: KUBE_BACKUP_RESOURCE_TYPE,
});

/** Ask for a restore of an entity's snapshot into production. */
export const kubeBackupRestoreRequestPermission = createPermission({
  name: 'kube-backup.restore.request',
  attributes: { action: 'create' },
  resourceType: KUBE_BACKUP_RESOURCE_TYPE,
});

/**
 * Approve or reject a restore request. Policies grant it; the backend additionally requires
 * the caller to own the entity (its `spec.owner`), so a grant alone never lets a
 * non-owner approve.
 */
export const kubeBackupRestoreApprovePermission = createPermission({
  name: 'kube-backup.restore.approve',
  attributes: { action: 'update' },
  resourceType: KUBE_BACKUP_RESOURCE_TYPE,
});

/**
 * Download files of an entity's volumes as a snapshot holds them. Policies grant it; the
 * backend additionally requires the caller to own the entity, unless the policy's decision
 * for it is conditional (granted for particular entities), as for hydration.
 */
export const kubeBackupFilesReadPermission = createPermission({
  name: 'kube-backup.files.read',
  attributes: { action: 'read' },
  resourceType: KUBE_BACKUP_RESOURCE_TYPE,
});

export const kubeBackupPermissions = [
  kubeBackupSnapshotsReadPermission,
  kubeBackupHydratePermission,
  kubeBackupRestoreRequestPermission,
  kubeBackupRestoreApprovePermission,
  kubeBackupFilesReadPermission,
];
