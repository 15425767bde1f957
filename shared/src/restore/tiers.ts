import type { ObjectType, PlannedObject } from './types';

/** Groups the Kubernetes API server serves itself; anything else is a custom (or aggregated) API. */
const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

export function isCustomResource(type: Pick<ObjectType, 'group'>): boolean {
  return !BUILT_IN_GROUPS.has(type.group);
}

/** The CustomResourceDefinition a custom resource type is defined by. */
export function crdNameOf(type: Pick<ObjectType, 'group' | 'resource'>): string {
  return `${type.resource}.${type.group}`;
}

/** The names of the CustomResourceDefinitions among the objects. */
export function definitionsAmong(objects: readonly PlannedObject[]): Set<string | undefined> {
  return new Set(
    objects
      .filter(
        ({ type }) =>
          type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition',
      )
      .map(({ object }) => object.metadata.name),
  );
}

export interface Tier {
  name: string;
  /** Lower runs first. */
  rank: number;
}

/**
 * The order objects are written in: what others refer to comes before what refers to it,
 * so a workload finds its namespace, claims, identity and configuration already there,
 * and a custom resource finds its definition served.
 */
export const TIERS = {
  definitions: { name: 'namespaces and definitions', rank: 0 },
  storage: { name: 'storage', rank: 1 },
  identity: { name: 'identity and RBAC', rank: 2 },
  config: { name: 'configuration', rank: 3 },
  services: { name: 'services', rank: 4 },
  workloads: { name: 'workloads', rank: 5 },
  rest: { name: 'other resources', rank: 6 },
  custom: { name: 'custom resources', rank: 7 },
} as const satisfies Record<string, Tier>;

const BY_KIND: Record<string, Tier> = {
  '/Namespace': TIERS.definitions,
  'apiextensions.k8s.io/CustomResourceDefinition': TIERS.definitions,
  'storage.k8s.io/StorageClass': TIERS.storage,
  '/PersistentVolume': TIERS.storage,
  '/PersistentVolumeClaim': TIERS.storage,
  '/ServiceAccount': TIERS.identity,
  'rbac.authorization.k8s.io/Role': TIERS.identity,
  'rbac.authorization.k8s.io/ClusterRole': TIERS.identity,
  'rbac.authorization.k8s.io/RoleBinding': TIERS.identity,
  'rbac.authorization.k8s.io/ClusterRoleBinding': TIERS.identity,
  '/ConfigMap': TIERS.config,
  '/Secret': TIERS.config,
  '/LimitRange': TIERS.config,
  '/ResourceQuota': TIERS.config,
  'scheduling.k8s.io/PriorityClass': TIERS.config,
  '/Service': TIERS.services,
  'apps/Deployment': TIERS.workloads,
  'apps/StatefulSet': TIERS.workloads,
  'apps/DaemonSet': TIERS.workloads,
  'apps/ReplicaSet': TIERS.workloads,
  '/ReplicationController': TIERS.workloads,
  'batch/Job': TIERS.workloads,
  'batch/CronJob': TIERS.workloads,
  '/Pod': TIERS.workloads,
};

export function tierOf(type: Pick<ObjectType, 'group' | 'kind'>): Tier {
  return (
    BY_KIND[`${type.group}/${type.kind}`] ?? (isCustomResource(type) ? TIERS.custom : TIERS.rest)
  );
}

/** Splits objects into tiers, in order; empty tiers are left out. */
export function groupByTier<T extends { type: ObjectType }>(
  items: readonly T[],
): Array<{ tier: Tier; items: T[] }> {
  const groups = new Map<number, { tier: Tier; items: T[] }>();
  for (const item of items) {
    const tier = tierOf(item.type);
    const group = groups.get(tier.rank);
    if (group) group.items.push(item);
    else groups.set(tier.rank, { tier, items: [item] });
  }
  return [...groups.values()].sort((a, b) => a.tier.rank - b.tier.rank);
}
