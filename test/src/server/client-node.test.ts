/**
 * Fidelity: @kubernetes/client-node 2.x, unchanged, against the test server — typed APIs,
 * the generic KubernetesObjectApi, errors, watches and informers.
 */
import '../testing/symbol-dispose';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from './index';
import { eventually } from '../testing/eventually';

const FIXTURES = join(__dirname, '../../fixtures/production');

let cluster: TestCluster;
let kc: KubeConfig;

beforeAll(async () => {
  cluster = await startTestCluster({ seed: [FIXTURES], crdEstablishDelayMs: 20 });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
});

afterAll(async () => {
  await cluster?.stop();
});

test('typed clients list namespaces and deployments', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const namespaces = await core.listNamespace();
  expect(namespaces.items.map(ns => ns.metadata?.name)).toEqual(
    expect.arrayContaining(['default', 'kube-system', 'shop', 'payments', 'monitoring']),
  );
  const apps = kc.makeApiClient(AppsV1Api);
  const deployments = await apps.listNamespacedDeployment({
    namespace: 'payments',
    labelSelector: 'backstage.io/kubernetes-id=payments-api',
  });
  expect(deployments.items.map(d => d.metadata?.name).sort()).toEqual([
    'payments-api',
    'payments-worker',
  ]);
  const page = await core.listNamespacedPod({ namespace: 'shop', limit: 4 });
  expect(page.items).toHaveLength(4);
  expect(page.metadata?._continue).toBeTruthy();
  expect(page.metadata?.remainingItemCount).toBe(7);
});

test('errors surface as ApiException with the Status body', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const error = await core
    .readNamespacedSecret({ name: 'nope', namespace: 'shop' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiException);
  const apiError = error as ApiException<string>;
  expect(apiError.code).toBe(404);
  expect(JSON.parse(apiError.body)).toMatchObject({
    reason: 'NotFound',
    message: 'secrets "nope" not found',
  });
});

test('KubernetesObjectApi: create, read, patch (merge, strategic, apply), delete', async () => {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const cm: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'generic', namespace: 'shop', labels: { a: '1' } },
    data: { key: 'value' },
  };
  const created = await client.create(cm);
  expect(created.metadata?.uid).toBeTruthy();
  const read = await client.read<V1ConfigMap>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'generic', namespace: 'shop' },
  });
  expect(read.data).toEqual({ key: 'value' });
  const merged = await client.patch<V1ConfigMap>(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'generic', namespace: 'shop', labels: { b: '2' } },
    },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
  expect(merged.metadata?.labels).toEqual({ a: '1', b: '2' });
  const strategic = await client.patch<V1ConfigMap>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'generic', namespace: 'shop' },
    data: { other: 'x' },
  });
  expect(strategic.data).toEqual({ key: 'value', other: 'x' });
  const applied = await client.patch<V1ConfigMap>(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'generic', namespace: 'shop' },
      data: { key: 'applied' },
    },
    undefined,
    undefined,
    'restore',
    true,
    PatchStrategy.ServerSideApply,
  );
  expect(applied.data?.key).toBe('applied');
  expect(
    applied.metadata?.managedFields?.some(m => m.manager === 'restore' && m.operation === 'Apply'),
  ).toBe(true);
  const status = await client.delete({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'generic', namespace: 'shop' },
  });
  expect(status.status).toBe('Success');
});

test('KubernetesObjectApi keeps custom resource fields verbatim', async () => {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const ledger = await client.read<KubernetesObject & { spec: Record<string, unknown> }>({
    apiVersion: 'example.io/v1',
    kind: 'Database',
    metadata: { name: 'ledger', namespace: 'payments' },
  });
  expect(ledger.spec.port).toBe(5432);
  expect(ledger.spec.pitr).toEqual({ enabled: true, walArchive: 's3://acme-pg-wal/ledger' });
  expect((ledger.spec.parameters as Record<string, unknown>).logging).toEqual({
    log_min_duration_statement: 500,
    log_line_prefix: '%t [%p] ',
  });
  const list = await client.list('example.io/v1', 'Database');
  expect(list.items.map(i => `${i.metadata?.namespace}/${i.metadata?.name}`).sort()).toEqual([
    'payments/ledger',
    'shop/catalog-db',
  ]);
});

test('Watch delivers events', async () => {
  const events: string[] = [];
  const watch = new Watch(kc);
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>(resolve => (resolveDone = resolve));
  const controller = await watch.watch(
    '/api/v1/namespaces/shop/configmaps',
    { labelSelector: 'watched=yes' },
    (phase, obj) => {
      events.push(`${phase} ${obj.metadata.name}`);
      if (events.length === 2) resolveDone();
    },
    () => undefined,
  );
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: 'shop',
    body: { metadata: { name: 'w', labels: { watched: 'yes' } }, data: { a: '1' } },
  });
  await core.deleteNamespacedConfigMap({ name: 'w', namespace: 'shop' });
  await done;
  controller.abort();
  expect(events).toEqual(['ADDED w', 'DELETED w']);
});

test('an informer lists, then follows changes', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, '/api/v1/namespaces/payments/serviceaccounts', () =>
    core.listNamespacedServiceAccount({ namespace: 'payments' }),
  );
  const added: string[] = [];
  informer.on('add', obj => added.push(obj.metadata!.name!));
  await informer.start();
  await core.createNamespacedServiceAccount({
    namespace: 'payments',
    body: { metadata: { name: 'late' } },
  });
  await eventually(() => added.includes('late'));
  await informer.stop();
  expect(added).toEqual(expect.arrayContaining(['default', 'payments-api', 'ledger-db', 'late']));
});
