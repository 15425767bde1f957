import type { KubeObject } from '../snapshot/types';
import {
  fromStructuredSelector,
  matchesEqualitySelector,
  matchesLabels,
  type StructuredSelector,
} from '../selectors/label-selector';
import type { Inventory, InventoryItem } from './inventory';
import { podSpecReferences, podTemplateOf } from './pod-template';

type Json = Record<string, unknown>;

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * What an object needs to work once restored: what its pods mount and reference, the
 * identity they run as and its RBAC, the Services, Ingresses, HPAs, PDBs and
 * NetworkPolicies that route to or govern them, a claim's volume and class, a custom
 * resource's CRD, and the object's namespace.
 */
export function directDependencies(inventory: Inventory, item: InventoryItem): InventoryItem[] {
  const { object, type } = item;
  const namespace = object.metadata.namespace;
  const found: Array<InventoryItem | undefined> = [];
  const spec = (object.spec ?? {}) as Json;

  if (namespace) found.push(inventory.get('', 'Namespace', undefined, namespace));

  const template = podTemplateOf(object);
  if (template && namespace) {
    const refs = podSpecReferences(template.spec);
    for (const name of refs.configMaps) found.push(inventory.get('', 'ConfigMap', namespace, name));
    for (const name of refs.secrets) found.push(inventory.get('', 'Secret', namespace, name));
    for (const name of refs.claims)
      found.push(inventory.get('', 'PersistentVolumeClaim', namespace, name));
    found.push(inventory.get('', 'ServiceAccount', namespace, refs.serviceAccount));
    found.push(...claimsFromTemplates(inventory, object));
    found.push(...governing(inventory, object, template.metadata.labels ?? {}));
  }

  switch (`${type.group}/${object.kind}`) {
    case '/ServiceAccount':
      found.push(...serviceAccountRbac(inventory, object));
      for (const pull of (object.imagePullSecrets as Array<{ name: string }> | undefined) ?? []) {
        found.push(inventory.get('', 'Secret', namespace, pull.name));
      }
      break;
    case '/Service':
      found.push(...ingressesFor(inventory, object));
      break;
    case '/PersistentVolumeClaim':
      if (spec.volumeName)
        found.push(inventory.get('', 'PersistentVolume', undefined, String(spec.volumeName)));
      if (spec.storageClassName) found.push(storageClass(inventory, spec.storageClassName));
      break;
    case '/PersistentVolume':
      if (spec.storageClassName) found.push(storageClass(inventory, spec.storageClassName));
      break;
    case 'networking.k8s.io/Ingress':
      for (const tls of (spec.tls as Array<{ secretName?: string }> | undefined) ?? []) {
        if (tls.secretName) found.push(inventory.get('', 'Secret', namespace, tls.secretName));
      }
      if (spec.ingressClassName) {
        found.push(
          inventory.get(
            'networking.k8s.io',
            'IngressClass',
            undefined,
            String(spec.ingressClassName),
          ),
        );
      }
      break;
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding':
      found.push(roleOf(inventory, object));
      break;
  }

  // Only custom resources have a CRD of this name, so the lookup itself tells them apart.
  if (type.group) {
    found.push(
      inventory.get(
        'apiextensions.k8s.io',
        'CustomResourceDefinition',
        undefined,
        `${type.resource}.${type.group}`,
      ),
    );
  }
  return found.filter(
    (dependency): dependency is InventoryItem => dependency !== undefined && dependency !== item,
  );
}

function storageClass(inventory: Inventory, name: unknown): InventoryItem | undefined {
  return inventory.get('storage.k8s.io', 'StorageClass', undefined, String(name));
}

/** A StatefulSet's claims are made from its volumeClaimTemplates as `<template>-<set>-<ordinal>`. */
function claimsFromTemplates(inventory: Inventory, object: KubeObject): InventoryItem[] {
  const templates = ((object.spec as Json).volumeClaimTemplates as KubeObject[] | undefined) ?? [];
  const prefixes = templates.map(template => `${template.metadata?.name}-${object.metadata.name}-`);
  if (prefixes.length === 0) return [];
  return inventory.ofKind('', 'PersistentVolumeClaim', object.metadata.namespace).filter(claim =>
    prefixes.some(prefix => {
      const name = claim.object.metadata.name ?? '';
      return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
    }),
  );
}

/** Services that select these pods, and the HPAs, PDBs and NetworkPolicies that govern them. */
function governing(
  inventory: Inventory,
  workload: KubeObject,
  podLabels: Record<string, string>,
): InventoryItem[] {
  const namespace = workload.metadata.namespace;
  const result: InventoryItem[] = [];
  for (const service of inventory.ofKind('', 'Service', namespace)) {
    const selector = (service.object.spec as Json | undefined)?.selector as
      Record<string, string> | undefined;
    if (matchesEqualitySelector(selector, podLabels)) result.push(service);
  }
  for (const hpa of inventory.ofKind('autoscaling', 'HorizontalPodAutoscaler', namespace)) {
    const target = (hpa.object.spec as Json | undefined)?.scaleTargetRef as
      { kind?: string; name?: string } | undefined;
    if (target?.kind === workload.kind && target.name === workload.metadata.name) result.push(hpa);
  }
  const bySelector = (items: InventoryItem[], field: string) =>
    items.filter(candidate => {
      const selector = (candidate.object.spec as Json | undefined)?.[field] as
        StructuredSelector | undefined;
      return selector !== undefined && matchesLabels(fromStructuredSelector(selector), podLabels);
    });
  result.push(
    ...bySelector(inventory.ofKind('policy', 'PodDisruptionBudget', namespace), 'selector'),
  );
  result.push(
    ...bySelector(inventory.ofKind('networking.k8s.io', 'NetworkPolicy', namespace), 'podSelector'),
  );
  return result;
}

function ingressesFor(inventory: Inventory, service: KubeObject): InventoryItem[] {
  const name = service.metadata.name;
  return inventory
    .ofKind('networking.k8s.io', 'Ingress', service.metadata.namespace)
    .filter(ingress => {
      const spec = (ingress.object.spec ?? {}) as {
        defaultBackend?: { service?: { name?: string } };
        rules?: Array<{ http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }>;
      };
      if (spec.defaultBackend?.service?.name === name) return true;
      return (spec.rules ?? []).some(rule =>
        (rule.http?.paths ?? []).some(path => path.backend?.service?.name === name),
      );
    });
}

function serviceAccountRbac(inventory: Inventory, account: KubeObject): InventoryItem[] {
  const isSubject = (binding: KubeObject) =>
    ((binding.subjects as Subject[] | undefined) ?? []).some(
      subject =>
        subject.kind === 'ServiceAccount' &&
        subject.name === account.metadata.name &&
        (subject.namespace ?? binding.metadata.namespace) === account.metadata.namespace,
    );
  return [
    ...inventory.ofKind('rbac.authorization.k8s.io', 'RoleBinding', account.metadata.namespace),
    ...inventory.ofKind('rbac.authorization.k8s.io', 'ClusterRoleBinding'),
  ].filter(binding => isSubject(binding.object));
}

function roleOf(inventory: Inventory, binding: KubeObject): InventoryItem | undefined {
  const ref = binding.roleRef as { kind?: string; name?: string } | undefined;
  if (!ref?.name) return undefined;
  return ref.kind === 'ClusterRole'
    ? inventory.get('rbac.authorization.k8s.io', 'ClusterRole', undefined, ref.name)
    : inventory.get('rbac.authorization.k8s.io', 'Role', binding.metadata.namespace, ref.name);
}
