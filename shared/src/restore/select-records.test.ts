import { UserError } from '../errors';
import type { KubeObject, ObjectRecord } from '../snapshot/types';
import { selectObjects } from './select-records';
import { SnapshotObjects } from './snapshot-objects';
import { detachMovedClaims } from './moved-claims';
import { typeOfRecord } from './snapshot-objects';

/**
 * A tiny snapshot: records plus a content store keyed by content id (`c<index>`); the
 * repository reports the `damaged` ids as corrupt.
 */
function snapshotOf(
  objects: Array<{ record: Omit<ObjectRecord, 'restorable'>; object?: KubeObject }>,
  damaged: ReadonlySet<string> = new Set(),
) {
  const contents = new Map<string, KubeObject>();
  const records = objects.map(({ record, object }, index) => {
    if (!object) return { ...record, restorable: false };
    contents.set(`c${index}`, object);
    return { ...record, restorable: true, content: `c${index}` };
  });
  const source = {
    getJson: async <T>(id: string) => {
      if (damaged.has(id)) throw new UserError('corrupt', `blob ${id} is corrupt`);
      return contents.get(id) as T;
    },
  };
  return { records, contents: new SnapshotObjects(source, 4) };
}

const core = (kind: string, resource: string, name: string, namespace?: string, extra = {}) => ({
  record: { group: '', version: 'v1', kind, resource, name, namespace },
  object: { apiVersion: 'v1', kind, metadata: { name, namespace }, ...extra } as KubeObject,
});

const SHOP_OBJECTS = [
  core('Namespace', 'namespaces', 'shop'),
  core('Namespace', 'namespaces', 'other'),
  {
    record: {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      resource: 'deployments',
      name: 'web',
      namespace: 'shop',
    },
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        template: {
          metadata: { labels: { app: 'web', 'backstage.io/kubernetes-id': 'storefront' } },
          spec: {
            serviceAccountName: 'web',
            containers: [{ name: 'web', envFrom: [{ configMapRef: { name: 'web-config' } }] }],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
          },
        },
      },
    },
  },
  core('ConfigMap', 'configmaps', 'web-config', 'shop', { data: { a: '1' } }),
  core('ConfigMap', 'configmaps', 'unrelated', 'shop'),
  core('ServiceAccount', 'serviceaccounts', 'web', 'shop'),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', 'data', 'shop', {
    spec: { volumeName: 'pv-1', storageClassName: 'fast' },
  }),
  core('PersistentVolume', 'persistentvolumes', 'pv-1', undefined, {
    spec: { storageClassName: 'fast' },
  }),
  core('PersistentVolume', 'persistentvolumes', 'pv-unrelated'),
  core('ConfigMap', 'configmaps', 'elsewhere', 'other'),
  {
    record: {
      group: '',
      version: 'v1',
      kind: 'Pod',
      resource: 'pods',
      name: 'web-abc',
      namespace: 'shop',
      labels: { 'backstage.io/kubernetes-id': 'storefront' },
      owner: { kind: 'Deployment', name: 'web' },
    },
  },
];
const shop = snapshotOf(SHOP_OBJECTS);

const names = (loaded: Array<{ record: ObjectRecord }>) =>
  loaded.map(({ record }) => `${record.kind}/${record.name}`).sort();

describe('selectObjects', () => {
  it('takes every restorable object by default, never recorded-only children', async () => {
    const { objects } = await selectObjects(shop.records, shop.contents, {}, 'abcd1234');
    expect(objects).toHaveLength(10);
    expect(names(objects)).not.toContain('Pod/web-abc');
  });

  it("brings an entity's workloads with what they depend on, found through templates and children", async () => {
    const { objects } = await selectObjects(
      shop.records,
      shop.contents,
      { entity: 'storefront' },
      'abcd1234',
    );
    expect(names(objects)).toEqual([
      'ConfigMap/web-config',
      'Deployment/web',
      'Namespace/shop',
      'PersistentVolume/pv-1',
      'PersistentVolumeClaim/data',
      'ServiceAccount/web',
    ]);
    await expect(
      selectObjects(shop.records, shop.contents, { entity: 'nobody' }, 'abcd1234'),
    ).rejects.toThrow('no objects of entity "nobody"');
  });

  it('brings the cluster-scoped objects a namespace depends on, and no others', async () => {
    const { objects } = await selectObjects(
      shop.records,
      shop.contents,
      { includeNamespaces: ['shop'] },
      'abcd1234',
    );
    expect(names(objects)).toEqual([
      'ConfigMap/unrelated',
      'ConfigMap/web-config',
      'Deployment/web',
      'Namespace/shop',
      'PersistentVolume/pv-1',
      'PersistentVolumeClaim/data',
      'ServiceAccount/web',
    ]);
    await expect(
      selectObjects(shop.records, shop.contents, { includeNamespaces: ['nope'] }, 'abcd1234'),
    ).rejects.toThrow('namespace "nope" is not in snapshot abcd1234');
  });

  it('applies type filters and object references strictly, explaining recorded-only children', async () => {
    const { objects, warnings } = await selectObjects(
      shop.records,
      shop.contents,
      { includeResources: ['cm', 'widgets'], excludeResources: ['namespaces'] },
      'abcd1234',
    );
    expect(names(objects)).toEqual([
      'ConfigMap/elsewhere',
      'ConfigMap/unrelated',
      'ConfigMap/web-config',
    ]);
    expect(warnings).toEqual(['snapshot abcd1234 holds no objects of type "widgets"']);

    const one = await selectObjects(
      shop.records,
      shop.contents,
      { objects: ['deploy/web'] },
      'abcd1234',
    );
    expect(names(one.objects)).toEqual(['Deployment/web']);
    await expect(
      selectObjects(shop.records, shop.contents, { objects: ['pod/web-abc'] }, 'abcd1234'),
    ).rejects.toThrow(
      'pod/web-abc was recorded for search only: Deployment/web makes it; restore that instead',
    );
    await expect(
      selectObjects(shop.records, shop.contents, { objects: ['cm/missing'] }, 'abcd1234'),
    ).rejects.toThrow('cm/missing is not in snapshot abcd1234');
  });
});

describe('detachMovedClaims', () => {
  it('gives claims moved to another namespace fresh volumes and leaves the volumes they held behind', async () => {
    const { objects } = await selectObjects(
      shop.records,
      shop.contents,
      { includeNamespaces: ['shop'] },
      'abcd1234',
    );
    const planned = objects.map(({ record, object }) => ({
      type: typeOfRecord(record),
      object,
      record,
    }));

    const moved = detachMovedClaims(planned, { shop: 'staging' });
    expect(moved.map(item => item.object.metadata.name)).not.toContain('pv-1');
    const claim = moved.find(item => item.type.kind === 'PersistentVolumeClaim')!;
    expect(claim.object.spec).toEqual({ storageClassName: 'fast' });
    // The snapshot's own object is not changed.
    expect(planned.find(item => item.type.kind === 'PersistentVolumeClaim')!.object.spec).toEqual({
      volumeName: 'pv-1',
      storageClassName: 'fast',
    });

    expect(detachMovedClaims(planned, undefined)).toEqual(planned);
  });

  it('reports the damaged objects the selection chose, and only those', async () => {
    // c4 is ConfigMap shop/unrelated, c9 ConfigMap other/elsewhere (not selected).
    const damagedShop = snapshotOf(SHOP_OBJECTS, new Set(['c4', 'c9']));
    const { objects, damaged } = await selectObjects(
      damagedShop.records,
      damagedShop.contents,
      { includeNamespaces: ['shop'] },
      'abcd1234',
    );
    expect(names(objects)).toContain('ConfigMap/web-config');
    expect(names(objects)).not.toContain('ConfigMap/unrelated');
    expect(damaged.map(({ record, message }) => `${record.name}: ${message}`)).toEqual([
      'unrelated: blob c4 is corrupt',
    ]);
  });
});
