import type { Entity } from '@backstage/catalog-model';

// The entity ↔ workload contract is the Backstage Kubernetes plugin's: these annotations on
// the entity, and the kubernetes-id as a label on its workloads.

/** The entity's id; workloads carry it as a label under the same key. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** The label on workloads naming the entity they belong to. */
export const KUBERNETES_ID_LABEL = KUBERNETES_ID_ANNOTATION;
/** The namespace the entity's objects are in. */
export const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';
/** A label selector choosing the entity's objects. */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION = 'backstage.io/kubernetes-label-selector';

/** What an entity's annotations claim, each trimmed; absent ones are undefined. */
export interface KubernetesClaim {
  id?: string;
  namespace?: string;
  labelSelector?: string;
}

/** The entity's Kubernetes annotations; undefined when it has none of them. */
export function kubernetesClaim(entity: Pick<Entity, 'metadata'>): KubernetesClaim | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const read = (key: string) => annotations[key]?.trim() || undefined;
  const claim = {
    id: read(KUBERNETES_ID_ANNOTATION),
    namespace: read(KUBERNETES_NAMESPACE_ANNOTATION),
    labelSelector: read(KUBERNETES_LABEL_SELECTOR_ANNOTATION),
  };
  return claim.id || claim.namespace || claim.labelSelector ? claim : undefined;
}

/**
 * Whether the entity carries any of the Kubernetes plugin's annotations, so the backend may
 * find its snapshots: a kubernetes-id, or a namespace or label selector alone (which the
 * backend serves where its config grants the namespace; it still decides). For
 * `EntitySwitch.Case if={isKubeBackupAvailable}` and the new frontend system's filters.
 */
export function isKubeBackupAvailable(entity: Pick<Entity, 'metadata'>): boolean {
  return kubernetesClaim(entity) !== undefined;
}
