import type { KubeObject } from '../../snapshot/types';

const SCALABLE = new Set([
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/ReplicaSet',
  'v1/ReplicationController',
]);

export function isScalable(object: KubeObject): boolean {
  return SCALABLE.has(`${object.apiVersion}/${object.kind}`);
}

export function setReplicas(object: KubeObject, replicas: number): void {
  if (!isScalable(object)) return;
  const spec = (object.spec ?? (object.spec = {})) as Record<string, unknown>;
  spec.replicas = replicas;
}
