/** The annotations kube-backup reads and writes; one prefix so `kubectl get -o yaml` shows them together. */
// The entity ↔ workload label is the Backstage Kubernetes plugin's, shared with the portal.
export { KUBERNETES_ID_LABEL as BACKSTAGE_ID_LABEL } from '@kube-backup/backstage-plugin-kube-backup-common';

export const ANNOTATION_PREFIX = 'kube-backup.io/';
export const CAPTURE_ANNOTATION = `${ANNOTATION_PREFIX}capture`;
export const TAGS_ANNOTATION = `${ANNOTATION_PREFIX}tags`;
export const VOLUMES_ANNOTATION = `${ANNOTATION_PREFIX}volumes`;
export const EXCLUDE_ANNOTATION = `${ANNOTATION_PREFIX}exclude`;
export const HYDRATED_FROM_LABEL = `${ANNOTATION_PREFIX}hydrated-from`;
export const PROTECTED_LABEL = `${ANNOTATION_PREFIX}protected`;

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(item => item.trim())
    .filter(item => item.length > 0);
}
