import { directDependencies } from '../kubernetes-objects/dependencies';
import { Inventory, type InventoryItem } from '../kubernetes-objects/inventory';
import type { ResourceType } from '../cluster/resource-types';
import type { KubeObject } from '../snapshot/types';
import { apiVersionOf } from '../cluster/resource-types';
import type { LoadedObject } from './snapshot-objects';

function resourceTypeOf(loaded: LoadedObject): ResourceType {
  const { record } = loaded;
  return {
    group: record.group,
    version: record.version,
    apiVersion: apiVersionOf(record.group, record.version),
    kind: record.kind,
    resource: record.resource,
    namespaced: record.namespace !== undefined,
    verbs: [],
    shortNames: [],
    singularName: record.kind.toLowerCase(),
  };
}

/**
 * What the seeds need to work, resolved from the snapshot's own objects with the same
 * rules capture used: the seeds plus their dependencies, transitively. `accept` limits
 * which dependencies are taken (and followed further).
 */
export function dependencyClosure(
  all: readonly LoadedObject[],
  seeds: readonly LoadedObject[],
  accept: (loaded: LoadedObject) => boolean = () => true,
): LoadedObject[] {
  const inventory = new Inventory();
  const byObject = new Map<KubeObject, LoadedObject>();
  for (const loaded of all) {
    inventory.add(resourceTypeOf(loaded), loaded.object);
    byObject.set(loaded.object, loaded);
  }
  const itemOf = new Map<LoadedObject, InventoryItem>();
  for (const item of inventory.all()) {
    const loaded = byObject.get(item.object);
    if (loaded) itemOf.set(loaded, item);
  }
  const selected = new Set<LoadedObject>(seeds);
  const queue = [...seeds];
  while (queue.length > 0) {
    const item = itemOf.get(queue.pop()!);
    if (!item) continue;
    for (const dependency of directDependencies(inventory, item)) {
      const loaded = byObject.get(dependency.object);
      if (!loaded || selected.has(loaded) || !accept(loaded)) continue;
      selected.add(loaded);
      queue.push(loaded);
    }
  }
  return all.filter(loaded => selected.has(loaded));
}
