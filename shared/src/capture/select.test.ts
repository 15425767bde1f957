import { servedType } from '../cluster/testing';
import { parseLabelSelector } from '../selectors/label-selector';
import type { KubeObject } from '../snapshot/types';
import { Inventory } from '../kubernetes-objects/inventory';
import { selectObjects, type SelectionCriteria } from './select';

const type = (group: string, kind: string, resource: string, namespaced = true) =>
  servedType(group, kind, resource, { namespaced });

const TYPES = {
  Namespace: type('', 'Namespace', 'namespaces', false),
  Deployment: type('apps', 'Deployment', 'deployments'),
  ReplicaSet: type('apps', 'ReplicaSet', 'replicasets'),
  Pod: type('', 'Pod', 'pods'),
  ConfigMap: type('', 'ConfigMap', 'configmaps'),
  Secret: type('', 'Secret', 'secrets'),
  ServiceAccount: type('', 'ServiceAccount', 'serviceaccounts'),
  Role: type('rbac.authorization.k8s.io', 'Role', 'roles'),
  RoleBinding: type('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings'),
  Service: type('', 'Service', 'services'),
  Ingress: type('networking.k8s.io', 'Ingress', 'ingresses'),
  HorizontalPodAutoscaler: type(
    'autoscaling',
    'HorizontalPodAutoscaler',
    'horizontalpodautoscalers',
  ),
  PodDisruptionBudget: type('policy', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  NetworkPolicy: type('networking.k8s.io', 'NetworkPolicy', 'networkpolicies'),
  PersistentVolumeClaim: type('', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  PersistentVolume: type('', 'PersistentVolume', 'persistentvolumes', false),
  StorageClass: type('storage.k8s.io', 'StorageClass', 'storageclasses', false),
  StatefulSet: type('apps', 'StatefulSet', 'statefulsets'),
  CustomResourceDefinition: type(
    'apiextensions.k8s.io',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
  ),
  Database: type('example.io', 'Database', 'databases'),
};

function object(
  kind: keyof typeof TYPES,
  name: string,
  fields: Record<string, unknown> = {},
  namespace = 'shop',
): KubeObject {
  const t = TYPES[kind];
  const { metadata, ...rest } = fields as { metadata?: Record<string, unknown> };
  return {
    apiVersion: t.apiVersion,
    kind: t.kind,
    metadata: { name, uid: `${kind}-${name}`, ...(t.namespaced ? { namespace } : {}), ...metadata },
    ...rest,
  };
}

const podSpec = {
  serviceAccountName: 'web',
  containers: [
    {
      name: 'web',
      image: 'nginx',
      envFrom: [{ configMapRef: { name: 'web-config' } }],
      env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'pw' } } }],
    },
  ],
  volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'web-data' } }],
};
const owner = (kind: string, name: string) => ({
  ownerReferences: [
    { apiVersion: 'apps/v1', kind, name, uid: `${kind}-${name}`, controller: true },
  ],
});

function buildInventory(): Inventory {
  const inventory = new Inventory();
  const objects: KubeObject[] = [
    object('Namespace', 'shop', {}, ''),
    object('Deployment', 'web', {
      metadata: { labels: { app: 'web', 'backstage.io/kubernetes-id': 'storefront' } },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
    }),
    object('ReplicaSet', 'web-abc', {
      metadata: { labels: { app: 'web' }, ...owner('Deployment', 'web') },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
    }),
    object('Pod', 'web-abc-1', {
      metadata: { labels: { app: 'web' }, ...owner('ReplicaSet', 'web-abc') },
      spec: podSpec,
      status: { phase: 'Running' },
    }),
    object('ConfigMap', 'web-config'),
    object('ConfigMap', 'kube-root-ca.crt'),
    object('Secret', 'web-secret', { data: { pw: 'c2VjcmV0' } }),
    object('ServiceAccount', 'web'),
    object('Role', 'web-reader'),
    object('RoleBinding', 'web-reader', {
      subjects: [{ kind: 'ServiceAccount', name: 'web' }],
      roleRef: { kind: 'Role', name: 'web-reader' },
    }),
    object('Service', 'web', { spec: { selector: { app: 'web' } } }),
    object('Ingress', 'web', {
      spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'web' } } }] } }] },
    }),
    object('HorizontalPodAutoscaler', 'web', {
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' } },
    }),
    object('PodDisruptionBudget', 'web', { spec: { selector: { matchLabels: { app: 'web' } } } }),
    object('NetworkPolicy', 'default-deny', { spec: { podSelector: {} } }),
    object('PersistentVolumeClaim', 'web-data', {
      spec: { volumeName: 'pv-web', storageClassName: 'fast' },
    }),
    object('PersistentVolume', 'pv-web', { spec: { storageClassName: 'fast' } }),
    object('StorageClass', 'fast'),
    object('PersistentVolume', 'pv-unrelated'),
    object('Deployment', 'admin', {
      metadata: { labels: { app: 'admin' } },
      spec: {
        template: {
          metadata: { labels: { app: 'admin' }, annotations: { 'kube-backup.io/capture': 'true' } },
          spec: { containers: [{ name: 'a' }] },
        },
      },
    }),
    object('ConfigMap', 'admin-config', { metadata: { labels: { app: 'admin' } } }),
    object('Secret', 'ignored', {
      metadata: { annotations: { 'kube-backup.io/exclude': 'true' } },
    }),
    object('CustomResourceDefinition', 'databases.example.io', {}, ''),
    object('Database', 'orders', {
      metadata: { labels: { 'backstage.io/kubernetes-id': 'storefront' } },
    }),
  ];
  for (const item of objects) inventory.add(TYPES[item.kind as keyof typeof TYPES], item);
  return inventory;
}

const criteria = (extra: Partial<SelectionCriteria>): SelectionCriteria => ({
  entities: [],
  annotatedOnly: false,
  includeClusterResources: 'auto',
  allNamespaces: false,
  ...extra,
});
const names = (items: Array<{ object: KubeObject }>) =>
  items.map(item => `${item.object.kind}/${item.object.metadata.name}`).sort();

describe('selecting what a capture keeps', () => {
  it('brings a selected workload with every dependency and records its controller-made children', () => {
    const { restorable, recorded } = selectObjects(
      buildInventory(),
      criteria({ labelSelector: parseLabelSelector('app=web') }),
    );
    expect(names(restorable)).toEqual(
      [
        'ConfigMap/web-config',
        'Deployment/web',
        'HorizontalPodAutoscaler/web',
        'Ingress/web',
        'Namespace/shop',
        'NetworkPolicy/default-deny',
        'PersistentVolume/pv-web',
        'PersistentVolumeClaim/web-data',
        'PodDisruptionBudget/web',
        'Role/web-reader',
        'RoleBinding/web-reader',
        'Secret/web-secret',
        'Service/web',
        'ServiceAccount/web',
        'StorageClass/fast',
      ].sort(),
    );
    expect(names(recorded)).toEqual(['Pod/web-abc-1', 'ReplicaSet/web-abc']);
  });

  it('selects by Backstage entity, and a custom resource brings its CRD', () => {
    const { restorable } = selectObjects(buildInventory(), criteria({ entities: ['storefront'] }));
    expect(names(restorable)).toContain('CustomResourceDefinition/databases.example.io');
    expect(names(restorable)).toContain('Database/orders');
    expect(names(restorable)).not.toContain('Deployment/admin');
  });

  it('takes only what is marked with --annotated-only, including marks on pod templates', () => {
    const { restorable } = selectObjects(buildInventory(), criteria({ annotatedOnly: true }));
    // The default-deny policy governs every pod, so it comes along too.
    expect(names(restorable)).toEqual([
      'Deployment/admin',
      'Namespace/shop',
      'NetworkPolicy/default-deny',
    ]);
  });

  it('keeps a whole namespace without cluster objects it does not need, and skips what clusters make themselves', () => {
    const { restorable } = selectObjects(buildInventory(), criteria({}));
    const kept = names(restorable);
    expect(kept).toContain('ConfigMap/admin-config');
    expect(kept).toContain('PersistentVolume/pv-web');
    expect(kept).not.toContain('PersistentVolume/pv-unrelated');
    expect(kept).not.toContain('ConfigMap/kube-root-ca.crt');
    expect(kept).not.toContain('Secret/ignored');
    expect(kept).not.toContain('Pod/web-abc-1');
  });

  it('takes every cluster object for a whole-cluster capture, and none when told not to', () => {
    expect(
      names(selectObjects(buildInventory(), criteria({ allNamespaces: true })).restorable),
    ).toContain('PersistentVolume/pv-unrelated');
    const without = names(
      selectObjects(buildInventory(), criteria({ includeClusterResources: 'false' })).restorable,
    );
    expect(
      without.filter(name =>
        /^(PersistentVolume|StorageClass|Namespace|CustomResourceDefinition)\//.test(name),
      ),
    ).toEqual([]);
  });

  it('lets a type filter leave kinds out everywhere', () => {
    const { restorable } = selectObjects(
      buildInventory(),
      criteria({
        labelSelector: parseLabelSelector('app=web'),
        typeFilter: t => t.resource !== 'secrets',
      }),
    );
    expect(names(restorable)).not.toContain('Secret/web-secret');
    expect(names(restorable)).toContain('ConfigMap/web-config');
  });

  it('a selected pod stands for the workload that makes it', () => {
    const { restorable } = selectObjects(
      buildInventory(),
      criteria({
        labelSelector: parseLabelSelector('app=web'),
        typeFilter: t =>
          t.resource === 'pods' || t.resource === 'deployments' || t.resource === 'replicasets',
      }),
    );
    expect(names(restorable)).toEqual(['Deployment/web']);
  });
});
