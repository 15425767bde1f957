import { groupByTier, isCustomResource, tierOf, TIERS } from './tiers';
import type { ObjectType } from './types';

const type = (group: string, kind: string): ObjectType => ({
  group,
  version: 'v1',
  kind,
  resource: `${kind.toLowerCase()}s`,
  namespaced: true,
});

describe('restore order', () => {
  it('writes what others refer to first and custom resources last', () => {
    const items = [
      type('example.com', 'Widget'),
      type('networking.k8s.io', 'Ingress'),
      type('apps', 'Deployment'),
      type('', 'Service'),
      type('', 'ConfigMap'),
      type('rbac.authorization.k8s.io', 'RoleBinding'),
      type('', 'PersistentVolumeClaim'),
      type('apiextensions.k8s.io', 'CustomResourceDefinition'),
      type('', 'Namespace'),
      type('', 'Secret'),
      type('batch', 'CronJob'),
      type('storage.k8s.io', 'StorageClass'),
      type('', 'ServiceAccount'),
    ].map(t => ({ type: t }));
    const order = groupByTier(items).map(({ tier, items: members }) => [
      tier.name,
      members.map(m => m.type.kind),
    ]);
    expect(order).toEqual([
      ['namespaces and definitions', ['CustomResourceDefinition', 'Namespace']],
      ['storage', ['PersistentVolumeClaim', 'StorageClass']],
      ['identity and RBAC', ['RoleBinding', 'ServiceAccount']],
      ['configuration', ['ConfigMap', 'Secret']],
      ['services', ['Service']],
      ['workloads', ['Deployment', 'CronJob']],
      ['other resources', ['Ingress']],
      ['custom resources', ['Widget']],
    ]);
  });

  it('tells custom groups from built-in ones, including *.k8s.io CRD groups', () => {
    expect(isCustomResource({ group: 'gateway.networking.k8s.io' })).toBe(true);
    expect(isCustomResource({ group: 'snapshot.storage.k8s.io' })).toBe(true);
    expect(isCustomResource({ group: 'policy' })).toBe(false);
    expect(tierOf(type('autoscaling', 'HorizontalPodAutoscaler'))).toBe(TIERS.rest);
  });
});
