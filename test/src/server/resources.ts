/**
 * The table of resource types the server serves. Built-in types are rows here; custom
 * resources become rows when their CRD is established (see crds.ts). Everything the
 * server does per type — discovery, routing, naming rules, generation — reads this row.
 */
import type { JsonObject } from './json';

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** How metadata.name is validated (apimachinery's validators). */
export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path';

export interface ResourceType {
  group: string;
  version: string;
  /** Plural lower-case name used in URLs. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  status: boolean;
  scale?: ScaleSubresource;
  /** The server owns metadata.generation and bumps it when the spec changes. */
  generation: boolean;
  nameRule: NameRule;
  /** Served from a CustomResourceDefinition: any fields allowed, delete returns the object. */
  custom: boolean;
  /** Not stored: a create is answered by computing a review (access reviews, whoami). */
  review?: boolean;
  /** For custom resources: the storage version other versions are converted from. */
  storageVersion?: string;
  printerColumns?: PrinterColumn[];
  /** For custom resources: the version's openAPIV3Schema. */
  schema?: JsonObject;
}

export const STANDARD_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

interface Row {
  short?: string[];
  cat?: string[];
  cluster?: boolean;
  status?: boolean;
  scale?: boolean;
  gen?: boolean;
  name?: NameRule;
  verbs?: string[];
  plural?: string;
}

function row(group: string, version: string, kind: string, opts: Row = {}): ResourceType {
  const singular = kind.toLowerCase();
  const resource = opts.plural ?? pluralize(singular);
  return {
    group,
    version,
    resource,
    kind,
    singular,
    namespaced: !opts.cluster,
    shortNames: opts.short ?? [],
    categories: opts.cat ?? [],
    verbs: opts.verbs ?? STANDARD_VERBS,
    status: opts.status ?? false,
    scale: opts.scale
      ? {
          specReplicasPath: '.spec.replicas',
          statusReplicasPath: '.status.replicas',
          labelSelectorPath: '.status.selector',
        }
      : undefined,
    generation: opts.gen ?? false,
    nameRule: opts.name ?? 'subdomain',
    custom: false,
  };
}

export function pluralize(singular: string): string {
  if (singular.endsWith('s') || singular.endsWith('x') || singular.endsWith('ch')) {
    return `${singular}es`;
  }
  if (singular.endsWith('y') && !/[aeiou]y$/.test(singular)) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

const ALL = ['all'];

/** Built-in types at the versions a v1.32 cluster prefers. */
export const BUILTIN_TYPES: ResourceType[] = [
  row('', 'v1', 'ConfigMap', { short: ['cm'] }),
  row('', 'v1', 'Endpoints', { short: ['ep'], plural: 'endpoints' }),
  row('', 'v1', 'Event', { short: ['ev'] }),
  row('', 'v1', 'LimitRange', { short: ['limits'] }),
  row('', 'v1', 'Namespace', {
    short: ['ns'],
    cluster: true,
    status: true,
    name: 'label',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  row('', 'v1', 'Node', { short: ['no'], cluster: true, status: true }),
  row('', 'v1', 'PersistentVolumeClaim', { short: ['pvc'], status: true }),
  row('', 'v1', 'PersistentVolume', { short: ['pv'], cluster: true, status: true }),
  row('', 'v1', 'Pod', { short: ['po'], cat: ALL, status: true }),
  row('', 'v1', 'PodTemplate'),
  row('', 'v1', 'ReplicationController', {
    short: ['rc'],
    cat: ALL,
    status: true,
    scale: true,
    gen: true,
  }),
  row('', 'v1', 'ResourceQuota', { short: ['quota'], status: true }),
  row('', 'v1', 'Secret'),
  row('', 'v1', 'ServiceAccount', { short: ['sa'] }),
  row('', 'v1', 'Service', { short: ['svc'], cat: ALL, status: true, name: 'dns1035' }),
  row('apps', 'v1', 'ControllerRevision'),
  row('apps', 'v1', 'DaemonSet', { short: ['ds'], cat: ALL, status: true, gen: true }),
  row('apps', 'v1', 'Deployment', {
    short: ['deploy'],
    cat: ALL,
    status: true,
    scale: true,
    gen: true,
  }),
  row('apps', 'v1', 'ReplicaSet', {
    short: ['rs'],
    cat: ALL,
    status: true,
    scale: true,
    gen: true,
  }),
  row('apps', 'v1', 'StatefulSet', {
    short: ['sts'],
    cat: ALL,
    status: true,
    scale: true,
    gen: true,
  }),
  row('batch', 'v1', 'CronJob', { short: ['cj'], cat: ALL, status: true, gen: true }),
  row('batch', 'v1', 'Job', { cat: ALL, status: true, gen: true }),
  row('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
    short: ['hpa'],
    cat: ALL,
    status: true,
    gen: true,
  }),
  row('policy', 'v1', 'PodDisruptionBudget', { short: ['pdb'], status: true, gen: true }),
  row('networking.k8s.io', 'v1', 'IngressClass', { cluster: true, gen: true }),
  row('networking.k8s.io', 'v1', 'Ingress', { short: ['ing'], status: true, gen: true }),
  row('networking.k8s.io', 'v1', 'NetworkPolicy', {
    short: ['netpol'],
    gen: true,
    plural: 'networkpolicies',
  }),
  row('discovery.k8s.io', 'v1', 'EndpointSlice'),
  row('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', { cluster: true, name: 'path' }),
  row('rbac.authorization.k8s.io', 'v1', 'ClusterRole', { cluster: true, name: 'path' }),
  row('rbac.authorization.k8s.io', 'v1', 'RoleBinding', { name: 'path' }),
  row('rbac.authorization.k8s.io', 'v1', 'Role', { name: 'path' }),
  row('storage.k8s.io', 'v1', 'CSIDriver', { cluster: true }),
  row('storage.k8s.io', 'v1', 'StorageClass', {
    short: ['sc'],
    cluster: true,
    plural: 'storageclasses',
  }),
  row('storage.k8s.io', 'v1', 'VolumeAttachment', { cluster: true, status: true }),
  row('scheduling.k8s.io', 'v1', 'PriorityClass', {
    short: ['pc'],
    cluster: true,
    plural: 'priorityclasses',
  }),
  row('coordination.k8s.io', 'v1', 'Lease'),
  row('node.k8s.io', 'v1', 'RuntimeClass', { cluster: true }),
  row('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', { cluster: true }),
  row('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', { cluster: true }),
  {
    ...row('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', {
      cluster: true,
      verbs: ['create'],
    }),
    review: true,
  },
  {
    ...row('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', {
      cluster: true,
      verbs: ['create'],
    }),
    review: true,
  },
  {
    ...row('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', { verbs: ['create'] }),
    review: true,
  },
  {
    ...row('authentication.k8s.io', 'v1', 'SelfSubjectReview', {
      cluster: true,
      verbs: ['create'],
    }),
    review: true,
  },
  row('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', {
    short: ['crd', 'crds'],
    cat: ['api-extensions'],
    cluster: true,
    status: true,
    gen: true,
  }),
];

/** Where the kinds this server owns as tables are looked up by group and resource. */
export function typeKey(group: string, resource: string): string {
  return `${resource}.${group}`;
}
