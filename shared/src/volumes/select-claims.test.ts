import type { InventoryItem } from '../kubernetes-objects/inventory';
import { servedType } from '../cluster/testing';
import type { KubeObject } from '../snapshot/types';
import { chooseClaims, podsUsingClaim } from './select-claims';

const type = servedType;
const CLAIM = type('', 'PersistentVolumeClaim', 'persistentvolumeclaims');
const POD = type('', 'Pod', 'pods');
const DEPLOYMENT = type('apps', 'Deployment', 'deployments');
const STATEFUL_SET = type('apps', 'StatefulSet', 'statefulsets');

function claim(name: string, annotations?: Record<string, string>, bound = true): InventoryItem {
  return {
    type: CLAIM,
    object: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: 'shop', annotations },
      spec: bound ? { volumeName: `pv-${name}` } : {},
    },
  };
}

function deployment(name: string, claims: string[], volumesAnnotation?: string): InventoryItem {
  return {
    type: DEPLOYMENT,
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: {
        template: {
          metadata: volumesAnnotation
            ? { annotations: { 'kube-backup.io/volumes': volumesAnnotation } }
            : {},
          spec: {
            containers: [{ name: 'app' }],
            volumes: claims.map(c => ({
              name: `vol-${c}`,
              persistentVolumeClaim: { claimName: c },
            })),
          },
        },
      },
    },
  };
}

function pod(name: string, claimName: string, phase: string): InventoryItem {
  return {
    type: POD,
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop' },
      spec: {
        containers: [{ name: 'app' }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
      },
      status: { phase },
    },
  };
}

const names = (objects: KubeObject[]) => objects.map(object => object.metadata.name);

describe('which claims a backup captures the data of', () => {
  const items = [
    claim('marked', { 'kube-backup.io/capture': 'true' }),
    claim('named-by-template'),
    claim('plain'),
    claim('data-db-0'),
    claim('data-db-1'),
    claim('data-other-0'),
    claim('unbound', { 'kube-backup.io/capture': 'true' }, false),
    deployment('web', ['named-by-template', 'plain'], 'vol-named-by-template'),
    {
      type: STATEFUL_SET,
      object: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: 'shop' },
        spec: {
          template: {
            metadata: { annotations: { 'kube-backup.io/volumes': 'data' } },
            spec: { containers: [{ name: 'db' }] },
          },
          volumeClaimTemplates: [{ metadata: { name: 'data' } }],
        },
      },
    },
  ];

  it('annotated: marked claims, and claims pod templates name, down to a StatefulSet claim template', () => {
    const { chosen, left } = chooseClaims(items, 'annotated');
    expect(names(chosen)).toEqual(['marked', 'named-by-template', 'data-db-0', 'data-db-1']);
    expect(left.get('shop/plain')).toMatch(/not marked for data capture/);
    expect(left.get('shop/data-other-0')).toMatch(/not marked/);
    expect(left.get('shop/unbound')).toBe(
      'the claim is not bound to a volume, so it holds no data',
    );
  });

  it('all: every bound claim; none: no claim, each with the reason', () => {
    expect(names(chooseClaims(items, 'all').chosen)).toEqual([
      'marked',
      'named-by-template',
      'plain',
      'data-db-0',
      'data-db-1',
      'data-other-0',
    ]);
    const none = chooseClaims(items, 'none');
    expect(none.chosen).toEqual([]);
    expect(none.left.get('shop/marked')).toBe('volume data was not requested for this backup');
  });

  it('finds the running pods that mount a claim', () => {
    const users = podsUsingClaim(
      [
        pod('web-1', 'plain', 'Running'),
        pod('web-2', 'plain', 'Succeeded'),
        pod('other', 'marked', 'Running'),
      ],
      claim('plain').object,
    );
    expect(names(users)).toEqual(['web-1']);
  });
});
