/** The production fixtures, as the seeder loads them. */
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from './index';
import { readManifests } from './seed';
import type { KubeObject } from './json';

const FIXTURES = join(__dirname, '../../fixtures/production');

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ seed: [FIXTURES], tls: false });
});

afterAll(async () => {
  await cluster?.stop();
});

const all = (apiVersion: string, kind: string, namespace?: string) =>
  cluster.store.list(apiVersion, kind, namespace);

test('every manifest is stored, next to what a fresh cluster has', () => {
  const manifests = readManifests([FIXTURES]);
  expect(manifests).toHaveLength(138);
  // 4 system namespaces, the kubernetes Service, 3 snapshot CRDs, and per namespace a
  // default ServiceAccount and kube-root-ca.crt.
  expect(cluster.store.count()).toBe(138 + 4 + 1 + 3 + 2 * 7);
});

test('owner references point at the seeded owners', () => {
  const owned = ['ReplicaSet', 'Pod', 'Job', 'ControllerRevision', 'EndpointSlice'].flatMap(kind =>
    all(
      kind === 'Pod'
        ? 'v1'
        : kind === 'Job'
          ? 'batch/v1'
          : kind === 'EndpointSlice'
            ? 'discovery.k8s.io/v1'
            : 'apps/v1',
      kind,
    ),
  );
  expect(owned.length).toBeGreaterThan(40);
  const byUid = new Map<string, KubeObject>();
  for (const [apiVersion, kind] of [
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'ReplicaSet'],
    ['apps/v1', 'StatefulSet'],
    ['apps/v1', 'DaemonSet'],
    ['batch/v1', 'CronJob'],
    ['batch/v1', 'Job'],
    ['v1', 'Service'],
  ]) {
    for (const o of all(apiVersion, kind)) byUid.set(o.metadata.uid!, o);
  }
  for (const child of owned) {
    const [ref] = child.metadata.ownerReferences!;
    const owner = byUid.get(ref.uid);
    expect(owner?.metadata.name).toBe(ref.name);
    expect(owner?.kind).toBe(ref.kind);
    expect(owner?.metadata.namespace).toBe(child.metadata.namespace);
    expect(ref.controller).toBe(true);
  }
});

test('claims are bound to volumes that name them back', () => {
  const claims = all('v1', 'PersistentVolumeClaim');
  expect(claims.map(c => `${c.metadata.namespace}/${c.metadata.name}`).sort()).toEqual([
    'payments/data-ledger-db-0',
    'shop/data-cart-redis-0',
    'shop/data-cart-redis-1',
  ]);
  for (const claim of claims) {
    const pv = cluster.store.get(
      'v1',
      'PersistentVolume',
      undefined,
      (claim.spec as { volumeName: string }).volumeName,
    )!;
    expect(pv.spec).toMatchObject({
      storageClassName: 'fast-ssd',
      claimRef: {
        name: claim.metadata.name,
        namespace: claim.metadata.namespace,
        uid: claim.metadata.uid,
      },
    });
    expect((claim.status as { phase: string }).phase).toBe('Bound');
  }
});

test('workloads carry Backstage entities and kube-backup annotations', () => {
  const workloads = [...all('apps/v1', 'Deployment'), ...all('apps/v1', 'StatefulSet')];
  const entity = (id: string) =>
    workloads
      .filter(w => w.metadata.labels?.['backstage.io/kubernetes-id'] === id)
      .map(w => `${w.kind}/${w.metadata.name}`)
      .sort();
  expect(entity('storefront')).toEqual([
    'Deployment/cart',
    'Deployment/storefront',
    'StatefulSet/cart-redis',
  ]);
  expect(entity('payments-api')).toEqual([
    'Deployment/payments-api',
    'Deployment/payments-worker',
    'StatefulSet/ledger-db',
  ]);
  const storefront = cluster.store.get('apps/v1', 'Deployment', 'shop', 'storefront')!;
  expect(storefront.metadata.annotations).toMatchObject({
    'kube-backup.io/capture': 'true',
    'kube-backup.io/tags': 'hydrate',
  });
  expect(
    storefront.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'],
  ).toContain('"name":"storefront"');
});

test('running pods report image digests, nodes and phases', () => {
  const pods = all('v1', 'Pod');
  expect(pods).toHaveLength(23);
  for (const pod of pods) {
    const status = pod.status as {
      phase: string;
      containerStatuses: Array<{ image: string; imageID: string }>;
    };
    expect(['Running', 'Succeeded']).toContain(status.phase);
    expect((pod.spec as { nodeName: string }).nodeName).toMatch(/^node-[ab]$/);
    for (const c of status.containerStatuses) expect(c.imageID).toMatch(/@sha256:[0-9a-f]{64}$/);
  }
  const nginx = pods.flatMap(
    p => (p.status as { containerStatuses: Array<{ imageID: string }> }).containerStatuses,
  );
  expect(nginx.some(c => c.imageID.startsWith('docker.io/library/nginx@sha256:'))).toBe(true);
});

test('custom resources keep fields outside the schema and int-or-string values', () => {
  const ledger = cluster.store.get(
    'example.io/v1',
    'Database',
    'payments',
    'ledger',
  )! as unknown as {
    spec: Record<string, unknown>;
  };
  const catalog = cluster.store.get(
    'example.io/v1',
    'Database',
    'shop',
    'catalog-db',
  )! as unknown as {
    spec: Record<string, unknown>;
  };
  expect(ledger.spec.port).toBe(5432);
  expect(catalog.spec.port).toBe('postgres');
  expect(ledger.spec.pitr).toEqual({ enabled: true, walArchive: 's3://acme-pg-wal/ledger' });
  expect(catalog.spec.backup).toEqual({
    schedule: '0 */6 * * *',
    retention: { daily: 7, weekly: 4 },
  });
});
