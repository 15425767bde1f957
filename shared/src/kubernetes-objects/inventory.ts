import type { ResourceType } from '../cluster/resource-types';
import type { KubeObject, OwnerReference } from '../snapshot/types';

export interface InventoryItem {
  type: ResourceType;
  object: KubeObject;
}

function key(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}|${kind}|${namespace ?? ''}|${name}`;
}

/** Everything listed from the cluster, indexed the ways dependency resolution looks things up. */
export class Inventory {
  private readonly byKey = new Map<string, InventoryItem>();
  private readonly byUidMap = new Map<string, InventoryItem>();
  private readonly byKindMap = new Map<string, InventoryItem[]>();

  add(type: ResourceType, object: KubeObject): void {
    const item = { type, object };
    this.byKey.set(
      key(type.group, type.kind, object.metadata.namespace, object.metadata.name ?? ''),
      item,
    );
    if (object.metadata.uid) this.byUidMap.set(object.metadata.uid, item);
    const kindKey = key(type.group, type.kind, object.metadata.namespace, '');
    const list = this.byKindMap.get(kindKey);
    if (list) list.push(item);
    else this.byKindMap.set(kindKey, [item]);
  }

  get(
    group: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): InventoryItem | undefined {
    return this.byKey.get(key(group, kind, namespace, name));
  }

  ofKind(group: string, kind: string, namespace?: string): InventoryItem[] {
    return this.byKindMap.get(key(group, kind, namespace, '')) ?? [];
  }

  byUid(uid: string): InventoryItem | undefined {
    return this.byUidMap.get(uid);
  }

  all(): IterableIterator<InventoryItem> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }
}

export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find(reference => reference.controller);
}

/**
 * Objects a controller makes from its spec (Pods, ReplicaSets, Jobs of CronJobs,
 * EndpointSlices…) come back by themselves once their owner is restored, so they are
 * recorded for search but never restored. Claims are the exception: their data is the point.
 */
export function isControllerOwnedChild(object: KubeObject): boolean {
  return controllerOf(object) !== undefined && object.kind !== 'PersistentVolumeClaim';
}

/** The top of an object's controller chain that the inventory knows (a Pod → its Deployment). */
export function topController(inventory: Inventory, item: InventoryItem): InventoryItem {
  let current = item;
  for (let depth = 0; depth < 10; depth++) {
    const owner = controllerOf(current.object);
    const parent = owner && inventory.byUid(owner.uid);
    if (!parent) return current;
    current = parent;
  }
  return current;
}
