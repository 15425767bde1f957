import type { ResourceType } from './resource-types';

/** A served resource type as discovery would describe it, for tests. */
export function servedType(
  group: string,
  kind: string,
  resource: string,
  options: { namespaced?: boolean; shortNames?: string[] } = {},
): ResourceType {
  return {
    group,
    version: 'v1',
    apiVersion: group ? `${group}/v1` : 'v1',
    kind,
    resource,
    namespaced: options.namespaced ?? true,
    verbs: ['get', 'list'],
    shortNames: options.shortNames ?? [],
    singularName: kind.toLowerCase(),
  };
}
