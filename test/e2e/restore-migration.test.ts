import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from '@kube-backup/core';
import type { KubeObject } from '../../shared/src/snapshot/types';
import {
  createWorkspace,
  kubectl,
  startE2eCluster,
  type E2eCluster,
  type Workspace,
} from './harness';

const RULES = `rules:
  # 1: a JSON patch by kind and name, guarded by a test.
  - match: {kind: Deployment, name: storefront}
    jsonPatch:
      - {op: test, path: /spec/template/spec/containers/0/env/2/name, value: NODE_ENV}
      - {op: replace, path: /spec/template/spec/containers/0/env/2/value, value: staging}
      - {op: add, path: /metadata/annotations/acme.example~1migrated-from, value: shop}
  # 2: a merge patch by labels: change one key, remove another.
  - match: {kind: ConfigMap, labels: {app.kubernetes.io/name: storefront}}
    mergePatch:
      data: {CART_URL: "http://cart.shop-staging.svc:8080", FEATURE_FLAGS: null}
  # 3: by group, kind and a namespace glob (rules see the namespace as written).
  - match: {group: networking.k8s.io, kind: Ingress, namespace: "shop-*"}
    jsonPatch:
      - {op: replace, path: /spec/rules/0/host, value: shop.staging.example}
      - {op: replace, path: /spec/tls/0/hosts/0, value: shop.staging.example}
  # 4: the namespace object itself.
  - match: {kind: Namespace}
    mergePatch: {metadata: {labels: {environment: staging}}}
  # 5: matches nothing, which is worth a warning.
  - match: {kind: Secret, name: "no-such-*"}
    mergePatch: {metadata: {labels: {x: y}}}
`;

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
}

/**
 * A migration of the fixture shop namespace to shop-staging with every restore-time change
 * at once, checked object by object; and a bad patch file refused before anything is written.
 */
describe('kubectl backup restore: migration with mappings and patch rules', () => {
  let cluster: E2eCluster;
  let work: Workspace;
  let snapshot: Snapshot;
  let rulesFile: string;

  const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const get = async <T = KubeObject>(type: string, name: string, namespace?: string): Promise<T> =>
    JSON.parse(
      await k('get', type, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json'),
    ) as T;
  const containersOf = (object: KubeObject, path: 'template' | 'jobTemplate' = 'template') => {
    const spec = object.spec as {
      template?: { spec: { containers: Container[] } };
      jobTemplate?: { spec: { template: { spec: { containers: Container[] } } } };
    };
    return path === 'template'
      ? spec.template!.spec.containers
      : spec.jobTemplate!.spec.template.spec.containers;
  };

  beforeAll(async () => {
    cluster = await startE2eCluster();
    work = await createWorkspace(cluster.kubeconfig);
    await work.initRepository();
    const storageClass = join(work.dir, 'standard-rwo.yaml');
    await writeFile(
      storageClass,
      'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: standard-rwo}\nprovisioner: pd.csi.storage.gke.io\n',
    );
    await k('apply', '-f', storageClass);
    const created = await work.cli(['create', '-n', 'shop', '-o', 'json']);
    expect(created.code).toBe(0);
    snapshot = JSON.parse(created.stdout) as Snapshot;
    rulesFile = join(work.dir, 'rules.yaml');
    await writeFile(rulesFile, RULES);
  });
  afterAll(async () => {
    await work?.cleanup();
    await cluster?.stop();
  });

  it('refuses an invalid patch file with every error located, before writing anything', async () => {
    const bad = join(work.dir, 'bad-rules.yaml');
    await writeFile(
      bad,
      'rules:\n  - match: {kind: Deployment}\n    jsonPatch: [{op: add, path: /a, value: 1}]\n  - match: {kind: Service}\n    jsonPatch:\n      - {op: replace, path: /spec/type}\n      - {op: add, path: spec/x, value: 1}\n',
    );
    const result = await work.cli([
      'restore',
      snapshot.id,
      '--namespace-mapping',
      'shop:shop-invalid',
      '--patch-file',
      bad,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: ${bad}: rule 2: jsonPatch[0]: op "replace" needs a value; rule 2: jsonPatch[1]: path "spec/x" must start with /`,
    );
    expect(await k('get', 'namespace', 'shop-invalid', '--ignore-not-found', '-o', 'name')).toBe(
      '',
    );
  });

  it('moves the namespace with new storage, registries, replicas, labels and patches, object by object', async () => {
    const result = await work.cli([
      'restore',
      snapshot.id,
      '--namespace-mapping',
      'shop:shop-staging',
      '--storage-class-mapping',
      'fast-ssd:standard-rwo',
      '--image-registry-mapping',
      'ghcr.io/acme:registry.staging.example/acme,docker.io:mirror.example',
      '--replicas',
      '1',
      '--add-labels',
      'env=staging,migrated-by=kube-backup',
      '--patch-file',
      rulesFile,
    ]);
    expect(result.stderr).toContain('warning: patch rule 5 matched no object');
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);

    const namespace = await get('namespace', 'shop-staging');
    expect(namespace.metadata.labels).toMatchObject({
      team: 'shop',
      environment: 'staging',
      env: 'staging',
      'kubernetes.io/metadata.name': 'shop-staging',
    });

    const storefront = await get('deployment', 'storefront', 'shop-staging');
    expect(storefront.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'storefront',
      env: 'staging',
      'migrated-by': 'kube-backup',
    });
    expect(storefront.metadata.annotations?.['acme.example/migrated-from']).toBe('shop');
    expect((storefront.spec as { replicas: number }).replicas).toBe(1);
    const [app, proxy] = containersOf(storefront);
    expect(app.image).toBe('registry.staging.example/acme/storefront:2.14.1');
    expect(app.env?.find(env => env.name === 'NODE_ENV')?.value).toBe('staging');
    expect(proxy.image).toBe('mirror.example/library/nginx:1.27.3');
    // Pod template labels are left alone, so selectors still match.
    expect(
      (storefront.spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels.env,
    ).toBeUndefined();

    const redis = await get('statefulset', 'cart-redis', 'shop-staging');
    const redisSpec = redis.spec as {
      replicas: number;
      volumeClaimTemplates: Array<{ spec: { storageClassName: string } }>;
    };
    expect(redisSpec.replicas).toBe(1);
    expect(redisSpec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard-rwo');
    expect(containersOf(redis)[0].image).toBe('mirror.example/library/redis:7.2.4');

    // Claims in the new namespace get fresh volumes of the mapped class, never the source's.
    const claim = await get<{ spec: { storageClassName: string; volumeName?: string } }>(
      'pvc',
      'data-cart-redis-0',
      'shop-staging',
    );
    expect(claim.spec.storageClassName).toBe('standard-rwo');
    expect(claim.spec.volumeName).toBeUndefined();

    const cron = await get('cronjob', 'sitemap-generator', 'shop-staging');
    expect(containersOf(cron, 'jobTemplate')[0].image).toBe(
      'registry.staging.example/acme/sitemap-generator:1.0.3',
    );

    const config = await get<{ data: Record<string, string> }>(
      'configmap',
      'storefront-config',
      'shop-staging',
    );
    expect(config.data).toEqual({
      CART_URL: 'http://cart.shop-staging.svc:8080',
      CATALOG_URL: 'http://catalog.shop.svc:8080',
    });

    const ingress = await get<{
      spec: { rules: Array<{ host: string }>; tls: Array<{ hosts: string[] }> };
    }>('ingress', 'storefront', 'shop-staging');
    expect(ingress.spec.rules[0].host).toBe('shop.staging.example');
    expect(ingress.spec.tls[0].hosts).toEqual(['shop.staging.example']);

    const binding = await get<{ subjects: Array<{ name: string; namespace: string }> }>(
      'rolebinding',
      'storefront',
      'shop-staging',
    );
    expect(binding.subjects).toEqual([
      expect.objectContaining({ name: 'storefront', namespace: 'shop-staging' }),
    ]);

    const database = await get('databases.example.io', 'catalog-db', 'shop-staging');
    expect(database.metadata.labels).toMatchObject({ env: 'staging' });

    // The source is untouched.
    const original = await get('deployment', 'storefront', 'shop');
    expect((original.spec as { replicas: number }).replicas).toBe(3);
    expect(containersOf(original)[0].image).toBe('ghcr.io/acme/storefront:2.14.1');
    expect(original.metadata.labels?.env).toBeUndefined();
  });
});
