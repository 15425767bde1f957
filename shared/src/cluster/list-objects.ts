import type { KubeObject } from '../snapshot/types';
import type { KubeClient } from './kube-client';
import { KubeApiError } from './kube-api-error';
import { collectionPath, type ResourceType } from './resource-types';

export interface ListOptions {
  /** Omit for every namespace (or for cluster-scoped types). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  /** How often an expired continue token (410) restarts the list. */
  maxRestarts?: number;
}

interface ObjectList {
  items?: Array<Omit<KubeObject, 'apiVersion' | 'kind'> & Partial<KubeObject>>;
  metadata?: { continue?: string };
}

/**
 * Lists every object of a type, page by page. A continue token that expires mid-list
 * (410 Gone) restarts the list from the beginning, so the result is one consistent pass.
 * Items get the apiVersion/kind that list responses leave out.
 */
export async function listObjects(
  client: KubeClient,
  type: ResourceType,
  options: ListOptions = {},
): Promise<KubeObject[]> {
  const maxRestarts = options.maxRestarts ?? 3;
  for (let restarts = 0; ; restarts++) {
    const items: KubeObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.request<ObjectList>({
          method: 'GET',
          path: collectionPath(type, options.namespace),
          query: {
            limit: options.pageSize ?? 500,
            continue: token,
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
          },
        });
        for (const item of page.items ?? []) {
          items.push({ ...item, apiVersion: type.apiVersion, kind: type.kind } as KubeObject);
        }
        token = page.metadata?.continue || undefined;
      } while (token);
      return items;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 410 && restarts < maxRestarts) continue;
      throw error;
    }
  }
}
