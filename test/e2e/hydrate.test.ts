import type { HydrateReport, Snapshot } from '@kube-backup/core';
import type { KubeObject } from '../../shared/src/snapshot/types';
import {
  createWorkspace,
  kubectl,
  startE2eCluster,
  type E2eCluster,
  type Workspace,
} from './harness';

const LABEL = 'kube-backup.io/hydrated-from';

/**
 * Dev/test hydration through the built binary: production components of the fixture shop
 * namespace copied into dev without Secrets, scaled down and labelled; refreshed in place;
 * and refused for protected and source namespaces with nothing written.
 */
describe('kubectl backup hydrate', () => {
  let cluster: E2eCluster;
  let work: Workspace;
  let first: Snapshot;

  const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const get = async (type: string, name: string, namespace: string): Promise<KubeObject> =>
    JSON.parse(await k('get', type, name, '-n', namespace, '-o', 'json')) as KubeObject;
  const names = async (type: string, namespace: string) =>
    (await k('get', type, '-n', namespace, '-o', 'name', '--ignore-not-found'))
      .split('\n')
      .filter(Boolean)
      .sort();
  /** Every object's resourceVersion in a namespace: equal before and after means nothing was written. */
  const versions = async (namespace: string) =>
    k(
      'get',
      'all,configmaps,secrets,serviceaccounts,ingresses,roles,rolebindings,pvc',
      '-n',
      namespace,
      '-o',
      'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}',
    );
  const snapshotOf = async (): Promise<Snapshot> => {
    const result = await work.cli(['create', '-n', 'shop', '-o', 'json']);
    if (result.code !== 0) throw new Error(`create failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Snapshot;
  };

  /**
   * dev holds a developer's own objects, so every hydration into it names it; its Ingress
   * gets hosts of its own (the production host would be left out).
   */
  const intoDev = ['--to', 'dev', '--allow-namespace', 'dev'];
  const storefrontIntoDev = [
    'hydrate',
    ...intoDev,
    '--entity',
    'storefront',
    '--ingress-host-suffix',
    'dev.example.test',
  ];
  const refreshStorefrontInDev = (...extra: string[]) =>
    work.cli([...storefrontIntoDev, '--refresh', ...extra]);

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
    first = await snapshotOf();
    // dev already holds an object of its own with the name of a component's ConfigMap.
    await k('create', 'namespace', 'dev');
    await k(
      'create',
      'configmap',
      'storefront-nginx',
      '-n',
      'dev',
      '--from-literal=owner=developer',
    );
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  it("copies an entity's components into dev: no Secrets, one replica, labelled, autoscaler left out", async () => {
    const result = await work.cli(storefrontIntoDev);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Deployment\s+dev\s+storefront\s+created/);
    expect(result.stdout).toMatch(/ConfigMap\s+dev\s+storefront-nginx\s+skipped \(exists\)/);
    expect(result.stdout).toMatch(
      /missing secret: storefront-secrets \(used by Deployment\/storefront\); create it in dev or pass --secrets copy/,
    );
    expect(result.stdout).toMatch(
      /missing secret: cart-redis-auth \(used by Deployment\/cart, StatefulSet\/cart-redis\)/,
    );
    expect(result.stdout).toMatch(
      /left out: HorizontalPodAutoscaler\/storefront \(scales Deployment\/storefront\)/,
    );
    expect(result.stdout).toMatch(/hydration of dev from shop \(snapshot [0-9a-f]{8}\)/);

    const id = first.id.slice(0, 16);
    const deployment = await get('deployment', 'storefront', 'dev');
    expect(deployment.metadata.labels?.[LABEL]).toBe(id);
    expect(deployment.metadata.annotations?.['kube-backup.io/hydrated-from-snapshot']).toBe(
      first.id,
    );
    expect((deployment.spec as { replicas: number }).replicas).toBe(1);
    const redis = await get('statefulset', 'cart-redis', 'dev');
    expect((redis.spec as { replicas: number }).replicas).toBe(1);
    expect((await get('namespace', 'dev', 'dev')).metadata.labels?.[LABEL]).toBeUndefined();

    expect(await names('secrets', 'dev')).toEqual([]);
    expect(await names('horizontalpodautoscalers', 'dev')).toEqual([]);
    // Only the entity's components and what they need: catalog belongs to no entity here.
    expect(await names('deployments', 'dev')).toEqual([
      'deployment.apps/cart',
      'deployment.apps/storefront',
    ]);
    // The developer's own object is untouched.
    const own = await get('configmap', 'storefront-nginx', 'dev');
    expect(own.data).toEqual({ owner: 'developer' });
    expect(own.metadata.labels?.[LABEL]).toBeUndefined();
  });

  it('refreshes in place: updates what it labelled, deletes what the newer snapshot lacks, touches nothing else', async () => {
    await k('create', 'configmap', 'dev-notes', '-n', 'dev', '--from-literal=todo=test');
    await k('delete', 'ingress', 'storefront', '-n', 'shop');
    await k(
      'set',
      'image',
      'deployment/storefront',
      '-n',
      'shop',
      'storefront=ghcr.io/acme/storefront:2.15.0',
    );
    const second = await snapshotOf();
    expect(await names('ingresses', 'dev')).toEqual(['ingress.networking.k8s.io/storefront']);
    const ownBefore = await get('configmap', 'storefront-nginx', 'dev');

    const result = await refreshStorefrontInDev('-o', 'json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as HydrateReport;
    expect(report.snapshot.id).toBe(second.id);
    const outcome = (kind: string, name: string) =>
      report.objects.find(object => object.kind === kind && object.name === name)?.outcome;
    expect(outcome('Ingress', 'storefront')).toBe('deleted');
    expect(outcome('Deployment', 'storefront')).toBe('updated');
    expect(outcome('ConfigMap', 'storefront-nginx')).toBe('skipped-exists');

    expect(await names('ingresses', 'dev')).toEqual([]);
    const deployment = await get('deployment', 'storefront', 'dev');
    expect(deployment.metadata.labels?.[LABEL]).toBe(second.id.slice(0, 16));
    const containers = (
      deployment.spec as { template: { spec: { containers: Array<{ image: string }> } } }
    ).template.spec.containers;
    expect(containers[0].image).toBe('ghcr.io/acme/storefront:2.15.0');
    expect((deployment.spec as { replicas: number }).replicas).toBe(1);

    expect((await get('configmap', 'dev-notes', 'dev')).data).toEqual({ todo: 'test' });
    const ownAfter = await get('configmap', 'storefront-nginx', 'dev');
    expect(ownAfter.metadata.resourceVersion).toBe(ownBefore.metadata.resourceVersion);
  });

  it("refreshing one entity leaves another entity's hydrated objects in the namespace alone", async () => {
    const payments = await work.cli(['create', '-n', 'payments', '-o', 'json']);
    expect(payments.code).toBe(0);
    const other = await work.cli(['hydrate', ...intoDev, '--entity', 'payments-api']);
    expect(other.stderr).not.toMatch(/error/);
    expect(other.code).toBe(0);
    const paymentsApi = await get('deployment', 'payments-api', 'dev');
    expect(paymentsApi.metadata.annotations?.['kube-backup.io/hydrated-selection']).toBe(
      'namespace=payments; entity=payments-api',
    );
    expect((await get('deployment', 'storefront', 'dev')).metadata.annotations).toMatchObject({
      'kube-backup.io/hydrated-selection': 'namespace=shop; entity=storefront',
    });

    const result = await refreshStorefrontInDev();
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/deleted/);
    const after = await get('deployment', 'payments-api', 'dev');
    expect(after.metadata.resourceVersion).toBe(paymentsApi.metadata.resourceVersion);
    expect(await names('configmaps', 'dev')).toContain('configmap/payments-config');
  });

  it('refuses a protected namespace with one clear line and writes nothing', async () => {
    await k('create', 'namespace', 'staging-locked');
    await k('label', 'namespace', 'staging-locked', 'kube-backup.io/protected=true');
    const before = await versions('staging-locked');
    const result = await work.cli(['hydrate', '--to', 'staging-locked', '--entity', 'storefront']);
    expect(result.code).toBe(4);
    expect(result.stderr.trim()).toBe(
      'error: refusing to hydrate into "staging-locked": the namespace is protected (label kube-backup.io/protected=true); pass --allow-namespace staging-locked if you really mean it; the report records it',
    );
    expect(await versions('staging-locked')).toBe(before);
    expect(
      (await get('namespace', 'staging-locked', 'staging-locked')).metadata.labels?.[LABEL],
    ).toBeUndefined();
  });

  it("refuses the snapshot's own source namespace unless allowed, writing nothing", async () => {
    const before = await versions('shop');
    const result = await work.cli(['hydrate', '--to', 'shop', '--entity', 'storefront']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /^error: refusing to hydrate into "shop": it is the source namespace of snapshot [0-9a-f]{8} in this cluster; it holds objects not written by a hydration \(.*\) in the snapshot's source cluster; pass --allow-namespace shop if you really mean it; the report records it\n$/,
    );
    expect(await versions('shop')).toBe(before);
  });

  it('copies Secrets only when asked, and a dry run by tag writes nothing', async () => {
    const copied = await work.cli([
      'hydrate',
      '--to',
      'dev-secrets',
      '--entity',
      'storefront',
      '--secrets',
      'copy',
    ]);
    expect(copied.code).toBe(0);
    expect(copied.stdout).not.toMatch(/missing secret/);
    expect(await names('secrets', 'dev-secrets')).toEqual([
      'secret/cart-redis-auth',
      'secret/storefront-secrets',
      'secret/storefront-tls',
    ]);
    const secret = await get('secret', 'storefront-secrets', 'dev-secrets');
    expect(secret.metadata.labels?.[LABEL]).toBeDefined();

    const preview = await work.cli([
      'hydrate',
      '--to',
      'dev-preview',
      '--from',
      'shop',
      '--tag',
      'hydrate',
      '--dry-run',
    ]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/Namespace\s+dev-preview\s+create/);
    expect(preview.stdout).toMatch(
      /Deployment\s+dev-preview\s+storefront\s+create\s+not validated by the server: namespace dev-preview does not exist yet/,
    );
    expect(preview.stdout).toMatch(/nothing was written/);
    expect(await k('get', 'namespace', 'dev-preview', '--ignore-not-found', '-o', 'name')).toBe('');
  });
});
