import type { ResourceType } from '../cluster/resource-types';
import { matchesLabels, type LabelSelector } from '../selectors/label-selector';
import { BACKSTAGE_ID_LABEL, CAPTURE_ANNOTATION } from './annotations';
import { directDependencies } from '../kubernetes-objects/dependencies';
import {
  isControllerOwnedChild,
  topController,
  type Inventory,
  type InventoryItem,
} from '../kubernetes-objects/inventory';
import { podTemplateOf } from '../kubernetes-objects/pod-template';
import { isSkippedObject } from './skip-rules';

export interface SelectionCriteria {
  labelSelector?: LabelSelector;
  /** Backstage entity ids: workloads labelled `backstage.io/kubernetes-id` with one of them. */
  entities: string[];
  /** Only what `kubectl backup annotate` marked. */
  annotatedOnly: boolean;
  /** Types allowed at all (roots and dependencies); undefined means every type. */
  typeFilter?: (type: ResourceType) => boolean;
  /**
   * `auto`: cluster-scoped objects come only as dependencies, or all of them for a
   * whole-cluster capture; `true`: all of them; `false`: none.
   */
  includeClusterResources: 'auto' | 'true' | 'false';
  allNamespaces: boolean;
}

export interface Selected {
  /** Sanitised and stored, restorable later. */
  restorable: InventoryItem[];
  /** Controller-made children of what was selected: kept for search only. */
  recorded: InventoryItem[];
}

/** Picks the objects a capture keeps: the chosen components and everything they depend on. */
export function selectObjects(inventory: Inventory, criteria: SelectionCriteria): Selected {
  const allowed = (item: InventoryItem) =>
    (criteria.typeFilter?.(item.type) ?? true) &&
    !isSkippedObject(item.object) &&
    !isDerivedEndpoints(inventory, item) &&
    (item.type.namespaced || criteria.includeClusterResources !== 'false');

  const filtered =
    criteria.labelSelector !== undefined || criteria.entities.length > 0 || criteria.annotatedOnly;
  const wholeClusterScope =
    criteria.includeClusterResources === 'true' ||
    (criteria.includeClusterResources === 'auto' && criteria.allNamespaces && !filtered);

  const selected = new Set<InventoryItem>();
  const queue: InventoryItem[] = [];
  const take = (item: InventoryItem) => {
    if (selected.has(item) || !allowed(item)) return;
    selected.add(item);
    queue.push(item);
  };

  for (const item of inventory.all()) {
    if (!item.type.namespaced && !wholeClusterScope) continue;
    if (filtered && !matchesCriteria(item, criteria)) continue;
    // A chosen Pod or ReplicaSet stands for the workload that makes it.
    take(isControllerOwnedChild(item.object) ? topController(inventory, item) : item);
  }
  while (queue.length > 0) {
    const item = queue.pop()!;
    if (isControllerOwnedChild(item.object)) continue;
    for (const dependency of directDependencies(inventory, item)) take(dependency);
  }

  const restorable: InventoryItem[] = [];
  for (const item of selected) if (!isControllerOwnedChild(item.object)) restorable.push(item);
  const recorded: InventoryItem[] = [];
  for (const item of inventory.all()) {
    if (isControllerOwnedChild(item.object) && selected.has(topController(inventory, item)))
      recorded.push(item);
  }
  return { restorable, recorded };
}

function matchesCriteria(item: InventoryItem, criteria: SelectionCriteria): boolean {
  const labels = item.object.metadata.labels;
  if (criteria.labelSelector && !matchesLabels(criteria.labelSelector, labels)) return false;
  if (
    criteria.entities.length > 0 &&
    !criteria.entities.includes(labels?.[BACKSTAGE_ID_LABEL] ?? '')
  )
    return false;
  if (criteria.annotatedOnly && !isMarkedForCapture(item)) return false;
  return true;
}

export function isMarkedForCapture(item: InventoryItem): boolean {
  const template = podTemplateOf(item.object);
  return (
    item.object.metadata.annotations?.[CAPTURE_ANNOTATION] === 'true' ||
    template?.metadata.annotations?.[CAPTURE_ANNOTATION] === 'true'
  );
}

/** The endpoints controller writes the Endpoints of every Service that has a selector. */
function isDerivedEndpoints(inventory: Inventory, item: InventoryItem): boolean {
  if (item.type.group !== '' || item.object.kind !== 'Endpoints') return false;
  const service = inventory.get(
    '',
    'Service',
    item.object.metadata.namespace,
    item.object.metadata.name ?? '',
  );
  const selector = (service?.object.spec as { selector?: Record<string, string> } | undefined)
    ?.selector;
  return Object.keys(selector ?? {}).length > 0;
}
