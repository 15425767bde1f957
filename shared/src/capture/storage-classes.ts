import { storageClassesOf } from '../restore/transforms/storage-class';
import type { StorageClassRecord } from '../snapshot/types';
import type { Inventory, InventoryItem } from '../kubernetes-objects/inventory';

/**
 * The storage classes the captured objects ask for (claims, volumes, claim templates),
 * each with whether the source cluster had it at capture. A restore tells from this a
 * class the target lacks that the source had (its claims need another class) from one
 * the source lacked too (its claims were Pending there and may stay so). Undefined when
 * the cluster's classes were not listed: then nobody knows.
 */
export function storageClassesAtCapture(
  captured: readonly InventoryItem[],
  inventory: Inventory,
  classesListed: boolean,
): StorageClassRecord[] | undefined {
  if (!classesListed) return undefined;
  const names = new Set(captured.flatMap(({ object }) => storageClassesOf(object)));
  return [...names].sort().map(name => ({
    name,
    existed: inventory.get('storage.k8s.io', 'StorageClass', undefined, name) !== undefined,
  }));
}
