import { HYDRATED_FROM_LABEL } from '../capture/annotations';
import { controllerOf } from '../kubernetes-objects/inventory';
import { isCapturableType } from '../capture/skip-rules';
import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { mapConcurrent } from '../util/limiter';
import { listObjects } from '../cluster/list-objects';
import { objectPath, type ResourceType } from '../cluster/resource-types';
import type { ObjectOutcome, PlannedObject } from '../restore/types';
import { HYDRATED_FROM_SNAPSHOT_ANNOTATION, HYDRATED_SELECTION_ANNOTATION } from './labels';
import { failure } from '../restore/write-object';

export function identityOf(group: string, kind: string, name: string | undefined): string {
  return `${group}|${kind}|${name ?? ''}`;
}

/**
 * Deletes what an earlier hydration of the same selection made in the namespace that this
 * one no longer has: objects carrying the hydrated-from label, and the selection annotation
 * with this selection, and not in the plan. Objects without the label are never looked at;
 * another entity hydrated into the same namespace keeps its objects. Controllers copy labels (the Endpoints of a
 * hydrated Service carry its labels, for one) but not this annotation, so requiring both
 * leaves what controllers made to them.
 */
export async function deleteStaleHydratedObjects(
  client: KubeClient,
  types: readonly ResourceType[],
  namespace: string,
  planned: readonly PlannedObject[],
  options: {
    /** The hydration's selection (hydrationSelection): only its own objects go. */
    selection: string;
    dryRun: boolean;
    concurrency: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<{ outcomes: ObjectOutcome[]; warnings: string[] }> {
  const keep = new Set(
    planned.map(({ type, object }) => identityOf(type.group, type.kind, object.metadata.name)),
  );
  const listable = types.filter(
    type => type.namespaced && isCapturableType(type) && type.verbs.includes('delete'),
  );
  const warnings: string[] = [];
  const stale: Array<{ type: ResourceType; name: string }> = [];
  await mapConcurrent(listable, 8, async type => {
    try {
      const objects = await listObjects(client, type, {
        namespace,
        labelSelector: HYDRATED_FROM_LABEL,
      });
      for (const object of objects) {
        if (controllerOf(object)) continue;
        const annotations = object.metadata.annotations ?? {};
        if (annotations[HYDRATED_FROM_SNAPSHOT_ANNOTATION] === undefined) continue;
        if (annotations[HYDRATED_SELECTION_ANNOTATION] !== options.selection) continue;
        if (keep.has(identityOf(type.group, type.kind, object.metadata.name))) continue;
        stale.push({ type, name: object.metadata.name ?? '' });
      }
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      warnings.push(`could not look for stale ${type.resource} in ${namespace}: ${error.message}`);
    }
  });
  let done = 0;
  options.onProgress?.(0, stale.length);
  const outcomes = await mapConcurrent(stale, options.concurrency, async ({ type, name }) => {
    const base: ObjectOutcome = {
      group: type.group,
      version: type.version,
      kind: type.kind,
      namespace,
      name,
      outcome: 'deleted',
    };
    try {
      await client.request({
        method: 'DELETE',
        path: objectPath(type, name, namespace),
        query: { dryRun: options.dryRun ? 'All' : undefined, propagationPolicy: 'Background' },
      });
      return base;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return base;
      return failure(base, error);
    } finally {
      options.onProgress?.(++done, stale.length);
    }
  });
  return { outcomes, warnings };
}
