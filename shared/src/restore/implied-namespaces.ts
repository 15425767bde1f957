import type { PlannedObject } from './types';

const NAMESPACE_TYPE = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  namespaced: false,
};

/**
 * Namespaces the objects live in that the plan does not bring itself (a restore of only
 * some types, or a hydration, which never copies the source's Namespace object): created
 * bare when absent, left alone when present.
 */
export function impliedNamespaces(objects: readonly PlannedObject[]): PlannedObject[] {
  const planned = new Set(
    objects
      .filter(({ type }) => type.group === '' && type.kind === 'Namespace')
      .map(({ object }) => object.metadata.name),
  );
  const needed = new Set<string>();
  for (const { object, type } of objects) {
    const namespace = object.metadata.namespace;
    if (type.namespaced && namespace && !planned.has(namespace)) needed.add(namespace);
  }
  return [...needed].sort().map(name => ({
    type: NAMESPACE_TYPE,
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    implied: true,
  }));
}
