import { createApiRef } from '@backstage/core-plugin-api';
import type { KubeBackupApi } from './types';

/** The kube-backup backend client; the plugin registers `KubeBackupClient` for it. */
export const kubeBackupApiRef = createApiRef<KubeBackupApi>({ id: 'plugin.kube-backup.service' });
