import type { KubeObject } from '../../snapshot/types';
import { podTemplateOf } from '../../kubernetes-objects/pod-template';

type Json = Record<string, unknown>;

/** The pre-1.6 way of naming a claim's class, still honoured by the API server. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/**
 * The claim specs an object carries: its own (a claim or volume), a StatefulSet's
 * volumeClaimTemplates, and generic ephemeral volumes in a pod template.
 */
export function storageSpecsOf(object: KubeObject): Array<{ spec: Json; metadata?: Json }> {
  const spec = object.spec as Json | undefined;
  if (!spec) return [];
  const found: Array<{ spec: Json; metadata?: Json }> = [];
  if (
    object.apiVersion === 'v1' &&
    (object.kind === 'PersistentVolumeClaim' || object.kind === 'PersistentVolume')
  ) {
    found.push({ spec, metadata: object.metadata });
  }
  for (const template of (spec.volumeClaimTemplates as Json[] | undefined) ?? []) {
    if (template.spec)
      found.push({ spec: template.spec as Json, metadata: template.metadata as Json });
  }
  for (const volume of (podTemplateOf(object)?.spec.volumes ?? []) as unknown as Json[]) {
    const template = (volume.ephemeral as Json | undefined)?.volumeClaimTemplate as
      Json | undefined;
    if (template?.spec)
      found.push({ spec: template.spec as Json, metadata: template.metadata as Json });
  }
  return found;
}

/** The storage classes an object asks for (an empty name means "no class" and is left out). */
export function storageClassesOf(object: KubeObject): string[] {
  return storageSpecsOf(object).flatMap(({ spec, metadata }) => {
    const annotations = metadata?.annotations as Record<string, string> | undefined;
    const name =
      (spec.storageClassName as string | undefined) ?? annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
    return name ? [name] : [];
  });
}

export function mapStorageClasses(
  object: KubeObject,
  mapping: Readonly<Record<string, string>>,
): void {
  for (const { spec, metadata } of storageSpecsOf(object)) {
    const current = spec.storageClassName;
    if (typeof current === 'string' && mapping[current] !== undefined) {
      spec.storageClassName = mapping[current];
    }
    const annotations = metadata?.annotations as Record<string, string> | undefined;
    const beta = annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
    if (annotations && beta !== undefined && mapping[beta] !== undefined) {
      annotations[BETA_STORAGE_CLASS_ANNOTATION] = mapping[beta];
    }
  }
}
