import type { KubeObject } from '../../snapshot/types';

/**
 * Adds labels and annotations to the object's own metadata. Pod templates are left alone:
 * their labels feed selectors, and changing them would roll every workload.
 */
export function addMetadata(
  object: KubeObject,
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): void {
  if (labels && Object.keys(labels).length > 0) {
    object.metadata.labels = { ...object.metadata.labels, ...labels };
  }
  if (annotations && Object.keys(annotations).length > 0) {
    object.metadata.annotations = { ...object.metadata.annotations, ...annotations };
  }
}
