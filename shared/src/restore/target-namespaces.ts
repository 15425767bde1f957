import type { KubeClient } from '../cluster/kube-client';
import { KubeApiError } from '../cluster/kube-api-error';
import { mapConcurrent } from '../util/limiter';
import type { KubeObject } from '../snapshot/types';
import type { PlannedObject } from './types';

/**
 * What the target holds of each namespace a plan writes into or creates: the live
 * Namespace, `null` when there is none, `undefined` when the credentials may not read it.
 */
export type TargetNamespaces = Map<string, KubeObject | null | undefined>;

export async function lookupTargetNamespaces(
  client: KubeClient,
  objects: readonly PlannedObject[],
): Promise<TargetNamespaces> {
  const names = new Set<string>();
  for (const { type, object } of objects) {
    if (type.namespaced && object.metadata.namespace) names.add(object.metadata.namespace);
    if (type.group === '' && type.kind === 'Namespace' && object.metadata.name) {
      names.add(object.metadata.name);
    }
  }
  const found = await mapConcurrent([...names].sort(), client.concurrency, async name => {
    try {
      const live = await client.request<KubeObject>({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(name)}`,
      });
      return [name, live] as const;
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.status === 404) return [name, null] as const;
      if (error.status === 403) return [name, undefined] as const;
      throw error;
    }
  });
  return new Map(found);
}
