import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  entityOwners,
  kubernetesClaim,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_ID_LABEL,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  matchesAnyNamePattern,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  matchesLabels,
  parseLabelSelector,
  type LabelSelector,
  type ObjectRecord,
  type RecordSelection,
  type Snapshot,
} from '@kube-backup/core';
import type { NamespaceGrant } from '../config';

/**
 * What of a snapshot an entity may call its own, from the Kubernetes plugin's annotations.
 * A kubernetes-id claims the objects labelled with it (and what they depend on), narrowed by
 * the namespace annotation when given. A claim without an id (namespace and/or label
 * selector) reaches only the namespaces the config grants the entity or its owners.
 */
export interface EntityScope {
  entityRef: string;
  id?: string;
  namespace?: string;
  selectorText?: string;
  selector?: LabelSelector;
  /** Namespace patterns a claim without an id is confined to; undefined for an id claim. */
  grantedNamespaces?: string[];
}

/**
 * The entity's scope; undefined when it has none of the annotations. A claim without an id
 * that the config grants nothing is refused (NotAllowedError) rather than served empty, so
 * the page says why.
 */
export function entityScope(entity: Entity, grants: NamespaceGrant[]): EntityScope | undefined {
  const annotations = kubernetesClaim(entity);
  if (!annotations) return undefined;
  const { id, namespace, labelSelector: selectorText } = annotations;
  const entityRef = stringifyEntityRef(entity);
  let selector: LabelSelector | undefined;
  if (selectorText) {
    try {
      selector = parseLabelSelector(selectorText);
    } catch (error) {
      throw new InputError(
        `the entity's ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation is not a label selector: ${(error as Error).message}`,
      );
    }
  }
  const scope: EntityScope = { entityRef, id, namespace, selectorText, selector };
  if (id) return scope;

  const owners = entityOwners(entity);
  const claimants = new Set([entityRef.toLowerCase(), ...owners]);
  const granted = grants
    .filter(grant => grant.owners.some(owner => claimants.has(owner)))
    .map(grant => grant.namespace);
  const claim = namespace
    ? `claims namespace ${namespace} (${KUBERNETES_NAMESPACE_ANNOTATION})`
    : `claims objects by label selector (${KUBERNETES_LABEL_SELECTOR_ANNOTATION})`;
  const ungranted = namespace ? !matchesAnyNamePattern(granted, namespace) : granted.length === 0;
  if (ungranted) {
    throw new NotAllowedError(
      `${entityRef} ${claim} without a ${KUBERNETES_ID_ANNOTATION}, and kubeBackup.namespaceOwners does not grant ${namespace ?? 'any namespace'} to it or its owners (${owners.join(', ') || 'it has none'})`,
    );
  }
  return { ...scope, grantedNamespaces: granted };
}

/** Whether objects of this namespace may be the entity's. */
export function claimsNamespace(scope: EntityScope, namespace: string): boolean {
  return (
    (!scope.namespace || namespace === scope.namespace) &&
    (!scope.grantedNamespaces || matchesAnyNamePattern(scope.grantedNamespaces, namespace))
  );
}

/** What the snapshot document alone tells: whether the snapshot may hold the entity. */
export function snapshotMayHold(scope: EntityScope, snapshot: Snapshot): boolean {
  const anyNamespace = !scope.namespace && !scope.grantedNamespaces;
  return (
    (!scope.id || snapshot.entities.includes(scope.id)) &&
    (anyNamespace || snapshot.namespaces.some(namespace => claimsNamespace(scope, namespace)))
  );
}

/** Whether the snapshot's records must be read to know if it holds the entity: a selector. */
export function needsRecords(scope: EntityScope): boolean {
  return scope.selector !== undefined;
}

/** Whether a record matches the entity's selector in a namespace the entity claims. */
export function recordClaimed(scope: EntityScope, record: ObjectRecord): boolean {
  return (
    record.namespace !== undefined &&
    claimsNamespace(scope, record.namespace) &&
    (!scope.selector || matchesLabels(scope.selector, record.labels))
  );
}

/**
 * Whether a record is the entity's by its own labels: the kubernetes-id label (in the
 * claimed namespace) for an id claim, the selector in a claimed namespace otherwise. A
 * controller-made child recorded for search only (a Pod) is the entity's this way even
 * when its controller was not captured.
 */
export function recordOwnedByLabel(scope: EntityScope, record: ObjectRecord): boolean {
  if (!scope.id) return recordClaimed(scope, record);
  return (
    record.labels?.[KUBERNETES_ID_LABEL] === scope.id &&
    (!scope.namespace || record.namespace === scope.namespace)
  );
}

/** A key naming everything the scope's matching depends on, for caches. */
export function scopeKey(scope: EntityScope): string {
  return [
    scope.id ?? '',
    scope.namespace ?? '',
    scope.selectorText ?? '',
    (scope.grantedNamespaces ?? ['*all*']).join(','),
  ].join('\u0000');
}

/**
 * The entity's part of a snapshot as core's record selection: the one definition the
 * snapshot detail, restore requests and restores share. An id brings its labelled objects
 * and their dependencies; a claim without an id brings its claimed namespaces (filtered by
 * its selector). Undefined when the entity claims no namespace the snapshot holds.
 */
export function entitySelection(
  scope: EntityScope,
  snapshotNamespaces: readonly string[],
): RecordSelection | undefined {
  // A label selector is strict (no dependencies), so it narrows only a claim without an
  // id; an id's selection already brings what its workloads need.
  if (scope.id) {
    return { entity: scope.id, includeNamespaces: scope.namespace ? [scope.namespace] : undefined };
  }
  const namespaces = snapshotNamespaces.filter(namespace => claimsNamespace(scope, namespace));
  if (namespaces.length === 0) return undefined;
  return { includeNamespaces: namespaces, labelSelector: scope.selectorText };
}

/**
 * The namespace a hydration of the entity copies: its namespace annotation, or for a claim
 * without an id the one claimed namespace its objects in the snapshot are in; undefined for
 * an id claim, where core finds the one namespace its objects live in.
 */
export function hydrationSourceNamespace(
  scope: EntityScope,
  entityNamespaces: readonly string[],
): string | undefined {
  if (scope.namespace || scope.id) return scope.namespace;
  if (entityNamespaces.length === 1) return entityNamespaces[0];
  throw new InputError(
    entityNamespaces.length === 0
      ? `${scope.entityRef} has no objects in this snapshot`
      : `a hydration copies one namespace, and ${scope.entityRef}'s objects in this snapshot are in ${entityNamespaces.join(', ')}; give the entity a ${KUBERNETES_NAMESPACE_ANNOTATION} annotation`,
  );
}
