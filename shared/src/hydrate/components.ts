import { dependencyClosure } from '../restore/dependency-closure';
import { belongsToEntity, componentSeeds, type ComponentTest } from '../restore/select-records';
import type { LoadedObject } from '../restore/snapshot-objects';
import { matchesLabels, parseLabelSelector } from '../selectors/label-selector';
import type { ObjectRecord } from '../snapshot/types';
import type { ComponentChoice } from './types';

/** Every given criterion must hold; with none, everything matches. */
export function componentTest(choice: ComponentChoice): ComponentTest {
  const entity = choice.entity ? belongsToEntity(choice.entity) : undefined;
  const selector = choice.labelSelector ? parseLabelSelector(choice.labelSelector) : undefined;
  return (labels, object, record) =>
    (!entity || entity(labels, object, record)) &&
    (!choice.tag || (record.tags ?? []).includes(choice.tag)) &&
    (!selector || matchesLabels(selector, labels));
}

/**
 * The chosen components of one namespace with everything in that namespace they depend
 * on. Cluster-scoped dependencies are returned apart: a hydration writes only its
 * namespace, so they are reported, never written.
 */
export function chooseComponents(
  records: readonly ObjectRecord[],
  loaded: readonly LoadedObject[],
  namespace: string,
  choice: ComponentChoice,
): { components: LoadedObject[]; clusterScoped: LoadedObject[] } {
  const inNamespace = (item: LoadedObject) => item.record.namespace === namespace;
  const seeds = componentSeeds(records, loaded, componentTest(choice)).filter(inNamespace);
  const closure = dependencyClosure(
    loaded,
    seeds,
    item => inNamespace(item) || item.record.namespace === undefined,
  );
  return {
    components: closure.filter(inNamespace),
    clusterScoped: closure.filter(item => !inNamespace(item)),
  };
}
