import type { LoadedObject } from '../restore/snapshot-objects';

interface AutoscalerSpec {
  scaleTargetRef?: { kind?: string; name?: string };
  maxReplicas?: number;
}

/**
 * Autoscalers that would undo the hydration's scale-down: those targeting a hydrated
 * workload that may run more replicas than asked for.
 */
export function autoscalersToDrop(
  objects: readonly LoadedObject[],
  replicas: number,
): Set<LoadedObject> {
  const workloads = new Set(objects.map(({ object }) => `${object.kind}/${object.metadata.name}`));
  return new Set(
    objects.filter(({ record, object }) => {
      if (record.group !== 'autoscaling' || record.kind !== 'HorizontalPodAutoscaler') return false;
      const spec = (object.spec ?? {}) as AutoscalerSpec;
      const target = `${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}`;
      return workloads.has(target) && (spec.maxReplicas ?? Infinity) > replicas;
    }),
  );
}
