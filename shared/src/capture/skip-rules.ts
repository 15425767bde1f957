import type { ResourceType } from '../cluster/resource-types';
import { qualifiedResourceName } from '../cluster/resource-types';
import type { KubeObject } from '../snapshot/types';
import { EXCLUDE_ANNOTATION } from './annotations';

/**
 * Types that describe the cluster's running state rather than an application's desired
 * state: restoring them is meaningless or harmful.
 */
const NEVER_CAPTURED_TYPES = new Set([
  'events',
  'events.events.k8s.io',
  'nodes',
  'bindings',
  'componentstatuses',
  'leases.coordination.k8s.io',
  'volumeattachments.storage.k8s.io',
  'csinodes.storage.k8s.io',
  'csistoragecapacities.storage.k8s.io',
  'certificatesigningrequests.certificates.k8s.io',
  'apiservices.apiregistration.k8s.io',
]);
const NEVER_CAPTURED_GROUPS = new Set([
  'metrics.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
]);

export function isCapturableType(type: ResourceType): boolean {
  return (
    type.verbs.includes('list') &&
    type.verbs.includes('get') &&
    !NEVER_CAPTURED_GROUPS.has(type.group) &&
    !NEVER_CAPTURED_TYPES.has(qualifiedResourceName(type))
  );
}

/**
 * Objects every cluster makes for itself: the CA bundle in every namespace, legacy
 * service-account token Secrets, and objects the user excluded by annotation.
 */
export function isSkippedObject(object: KubeObject): boolean {
  if (object.metadata.annotations?.[EXCLUDE_ANNOTATION] === 'true') return true;
  if (object.apiVersion !== 'v1') return false;
  if (object.kind === 'ConfigMap') return object.metadata.name === 'kube-root-ca.crt';
  if (object.kind === 'Secret') return object.type === 'kubernetes.io/service-account-token';
  return false;
}
