import type { Entity } from '@backstage/catalog-model';
import type { ObjectRecord } from '@kube-backup/core';
import { claimsNamespace, entityScope, recordClaimed } from './EntityScope';

function entity(
  annotations: Record<string, string>,
  owner = 'shop-team',
  name = 'reports',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { owner },
  };
}

const record = (namespace: string, labels: Record<string, string>): ObjectRecord => ({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  resource: 'deployments',
  namespace,
  name: 'web',
  labels,
  restorable: true,
});

describe('what an entity may claim', () => {
  const grants = [
    { namespace: 'shop', owners: ['group:default/shop-team'] },
    { namespace: 'team-a-*', owners: ['group:default/team-a'] },
    { namespace: 'monitoring', owners: ['component:default/reports'] },
  ];

  it('lets an id claim reach its objects wherever they are', () => {
    const scope = entityScope(entity({ 'backstage.io/kubernetes-id': 'reports' }), grants)!;
    expect(scope.grantedNamespaces).toBeUndefined();
    expect(claimsNamespace(scope, 'payments')).toBe(true);
  });

  it('grants a namespace by pattern to an owner, and by ref to the entity itself', () => {
    const byPattern = entityScope(
      entity({ 'backstage.io/kubernetes-namespace': 'team-a-web' }, 'group:team-a'),
      grants,
    )!;
    expect(claimsNamespace(byPattern, 'team-a-web')).toBe(true);
    expect(claimsNamespace(byPattern, 'team-a-db')).toBe(false);
    const byEntity = entityScope(
      entity({ 'backstage.io/kubernetes-namespace': 'monitoring' }, 'group:platform'),
      grants,
    )!;
    expect(claimsNamespace(byEntity, 'monitoring')).toBe(true);
  });

  it('confines a selector-only claim to every namespace granted, and refuses one granted none', () => {
    const scope = entityScope(entity({ 'backstage.io/kubernetes-label-selector': 'app' }), grants)!;
    expect(recordClaimed(scope, record('shop', { app: 'web' }))).toBe(true);
    expect(recordClaimed(scope, record('payments', { app: 'web' }))).toBe(false);
    expect(recordClaimed(scope, record('shop', { tier: 'web' }))).toBe(false);
    expect(() =>
      entityScope(
        entity({ 'backstage.io/kubernetes-label-selector': 'app' }, 'nobody', 'dashboards'),
        grants,
      ),
    ).toThrow(
      'component:default/dashboards claims objects by label selector (backstage.io/kubernetes-label-selector) without a backstage.io/kubernetes-id, and kubeBackup.namespaceOwners does not grant any namespace to it or its owners (group:default/nobody)',
    );
  });
});
