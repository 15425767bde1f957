import {
  Repository,
  type ObjectRecord,
  type RestoreReport,
  type Snapshot,
} from '@kube-backup/core';
import type { KubeObject } from '../../shared/src/snapshot/types';
import {
  applyYaml,
  createWorkspace,
  exists as objectExists,
  kubectl,
  startE2eCluster,
  type E2eCluster,
  type Workspace,
} from './harness';

/**
 * Disaster recovery through the built binary: back up the fixture namespace, lose it,
 * restore it, and get the same objects back. Also the target checks that stop a restore
 * before it writes anything, and custom resources waiting for their definition.
 */
describe('kubectl backup restore: round trip and target checks', () => {
  let cluster: E2eCluster;
  let work: Workspace;

  const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const apply = (name: string, yaml: string) => applyYaml(cluster.kubeconfig, work.dir, name, yaml);
  const createSnapshot = async (namespace: string): Promise<Snapshot> => {
    const result = await work.cli(['create', '-n', namespace, '-o', 'json']);
    if (result.code !== 0) throw new Error(`create failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as Snapshot;
  };
  const exists = (...args: string[]) => objectExists(cluster.kubeconfig, ...args);

  /** The snapshot's restorable objects as they are live now, by identity. */
  const liveObjects = async (records: ObjectRecord[]) => {
    const restorable = records.filter(record => record.restorable);
    const typesOf = (namespaced: boolean) => [
      ...new Set(
        restorable
          .filter(record => (record.namespace !== undefined) === namespaced)
          .map(record => (record.group ? `${record.resource}.${record.group}` : record.resource)),
      ),
    ];
    const list = async (types: string[], scope: string[]) =>
      types.length === 0
        ? []
        : (
            JSON.parse(await k('get', types.join(','), ...scope, '-o', 'json')) as {
              items: KubeObject[];
            }
          ).items;
    const items = [
      ...(await list(typesOf(true), ['-n', 'shop'])),
      ...(await list(typesOf(false), [])),
    ];
    const key = (group: string, kind: string, namespace: string | undefined, name: string) =>
      `${group}/${kind}/${namespace ?? ''}/${name}`;
    const byKey = new Map(
      items.map(item => [
        key(
          item.apiVersion.includes('/') ? item.apiVersion.split('/')[0] : '',
          item.kind,
          item.metadata.namespace,
          item.metadata.name ?? '',
        ),
        item,
      ]),
    );
    return new Map(
      restorable.map(record => [
        key(record.group, record.kind, record.namespace, record.name),
        byKey.get(key(record.group, record.kind, record.namespace, record.name)),
      ]),
    );
  };

  /**
   * What the snapshot holds of each restorable object, read from the repository as it was
   * stored (what capture keeps of an object is proven by sanitising's golden files).
   */
  const storedObjects = async (records: ObjectRecord[]) => {
    const repository = await Repository.open(work.repository, work.env.KUBE_BACKUP_PASSWORD!);
    try {
      return await Promise.all(
        records
          .filter(record => record.restorable)
          .map(async record => ({
            identity: `${record.group}/${record.kind}/${record.namespace ?? ''}/${record.name}`,
            object: await repository.getJson<KubeObject>(record.content!),
          })),
      );
    } finally {
      await repository.close();
    }
  };

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
  });
  afterAll(async () => {
    await k('delete', 'storageclass', 'gold', '--ignore-not-found').catch(() => undefined);
    await work?.cleanup();
    await cluster?.stop();
  });

  it('brings a deleted namespace back with every object equal to the original', async () => {
    const snapshot = await createSnapshot('shop');
    const described = JSON.parse(
      (await work.cli(['describe', snapshot.id, '--objects', '-o', 'json'])).stdout,
    ) as { objects: ObjectRecord[] };
    const before = await liveObjects(described.objects);
    const stored = await storedObjects(described.objects);
    expect([...before.values()].every(object => object !== undefined)).toBe(true);
    expect(before.size).toBeGreaterThan(20);

    await k('delete', 'namespace', 'shop', '--wait=true');
    expect(await exists('deployments', '-n', 'shop')).toBe(false);

    const result = await work.cli(['restore', snapshot.id.slice(0, 10)]);
    expect(result.stderr).not.toMatch(/error|warning/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Deployment\s+shop\s+storefront\s+created/);
    expect(result.stdout).toMatch(/Database\s+shop\s+catalog-db\s+created/);
    expect(result.stdout).toMatch(/restore of snapshot [0-9a-f]{8} into kube-test: \d+ created/);

    // Every field the snapshot kept came from the original and came back as it was, with
    // exactly the original's labels (controllers may annotate what they manage). Finalizers
    // are a list the cluster adds to, so only the kept ones must be there.
    const after = await liveObjects(described.objects);
    for (const { identity, object } of stored) {
      const { finalizers = [], ...metadata } = object.metadata as KubeObject['metadata'] & {
        finalizers?: string[];
      };
      const kept = { ...object, metadata };
      for (const live of [before.get(identity), after.get(identity)]) {
        expect({ identity, object: live }).toMatchObject({ identity, object: kept });
        expect({ identity, finalizers: live?.metadata.finalizers ?? [] }).toEqual({
          identity,
          finalizers: expect.arrayContaining(finalizers),
        });
      }
      expect({ identity, labels: after.get(identity)!.metadata.labels }).toEqual({
        identity,
        labels: object.metadata.labels,
      });
    }
    // Controller-made children are not restored: their controllers make them again.
    expect(described.objects.some(record => record.kind === 'Pod' && !record.restorable)).toBe(
      true,
    );

    // Restoring again changes nothing: every object exists and is skipped.
    const again = await work.cli(['restore', snapshot.id, '-o', 'json']);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as RestoreReport;
    expect(report.counts.created).toBe(0);
    expect(report.counts.failed).toBe(0);
    expect(report.counts['skipped-exists']).toBe(report.objects.length);
  });

  it('names the storage class a claim needs and the mapping that fixes it, writing nothing', async () => {
    await apply(
      'claims.yaml',
      `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: gold}
provisioner: example.com/none
---
apiVersion: v1
kind: Namespace
metadata: {name: claims}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: claims}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: gold
  resources: {requests: {storage: 1Gi}}
`,
    );
    const snapshot = await createSnapshot('claims');
    expect(snapshot.storageClasses).toEqual([{ name: 'gold', existed: true }]);
    // The class existed at capture and is gone now; the snapshot's copy of it stays out.
    await k('delete', 'storageclass', 'gold');
    const restore = (...args: string[]) =>
      work.cli([
        'restore',
        snapshot.id,
        '--namespace-mapping',
        'claims:claims-copy',
        '--exclude-resources',
        'storageclasses',
        ...args,
      ]);

    const refused = await restore();
    expect(refused.code).toBe(3);
    const errors = refused.stderr.split('\n').filter(line => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(refused.stderr).toContain(
      'storage class "gold" (used by PersistentVolumeClaim claims-copy/data) does not exist in the target cluster',
    );
    expect(refused.stderr).toMatch(
      /\(the target has: .*fast-ssd\); map it with --storage-class-mapping gold:<class>$/m,
    );
    expect(await exists('namespace', 'claims-copy')).toBe(false);

    const mapped = await restore('--storage-class-mapping', 'gold:fast-ssd');
    expect(mapped.code).toBe(0);
    const claim = JSON.parse(await k('get', 'pvc', 'data', '-n', 'claims-copy', '-o', 'json')) as {
      spec: { storageClassName: string };
    };
    expect(claim.spec.storageClassName).toBe('fast-ssd');
  });

  it('restores a definition before its custom resources, and refuses resources whose definition is nowhere', async () => {
    await apply(
      'widgets.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e2e.example.io}
spec:
  group: e2e.example.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
    );
    await k('wait', '--for=condition=Established', 'crd/widgets.e2e.example.io', '--timeout=30s');
    await apply(
      'widget.yaml',
      `apiVersion: v1
kind: Namespace
metadata: {name: widgets}
---
apiVersion: e2e.example.io/v1
kind: Widget
metadata: {name: sprocket, namespace: widgets}
spec: {size: 3, colour: blue}
`,
    );
    const snapshot = await createSnapshot('widgets');
    expect(snapshot.counts.byKind.CustomResourceDefinition).toBe(1);
    await k('delete', 'namespace', 'widgets', '--wait=true');
    await k('delete', 'crd', 'widgets.e2e.example.io', '--wait=true');

    const refused = await work.cli(['restore', snapshot.id, '--exclude-resources', 'crd']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      'Widget widgets/sprocket needs CustomResourceDefinition widgets.e2e.example.io, which is neither in the snapshot nor in the target cluster',
    );
    expect(await exists('namespace', 'widgets')).toBe(false);

    const restored = await work.cli(['restore', snapshot.id]);
    expect(restored.stderr).not.toMatch(/error/);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/CustomResourceDefinition\s+widgets.e2e.example.io\s+created/);
    expect(restored.stdout).toMatch(/Widget\s+widgets\s+sprocket\s+created/);
    const widget = JSON.parse(
      await k('get', 'widgets.e2e.example.io', 'sprocket', '-n', 'widgets', '-o', 'json'),
    ) as {
      spec: unknown;
    };
    expect(widget.spec).toEqual({ size: 3, colour: 'blue' });
  });
});
