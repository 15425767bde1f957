import { UserError } from '../errors';
import { planRestore } from '../restore';
import type { RestorePlan } from '../restore/execute-plan';
import { captured, snapshotOf } from '../restore/testing';
import { checkHydrateOptions, hydrationRestore } from './profile';
import type { HydrateOptions } from './types';

const ENTITY_LABEL = 'backstage.io/kubernetes-id';

const deployment = (name: string, entity: string, env: Record<string, unknown>[] = []) =>
  captured('apps', 'deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { app: name, [ENTITY_LABEL]: entity } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name, image: `ghcr.io/acme/${name}:1`, env }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${name}-data` } }],
        },
      },
    },
  });

/** The `storefront` entity (a web Deployment with its Secret, claim, autoscaler and Ingress) beside another entity's Deployment. */
const SHOP = [
  captured('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
  deployment('web', 'storefront', [
    { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db-password', key: 'value' } } },
  ]),
  deployment('payments', 'payments-api'),
  captured('', 'secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-password', namespace: 'shop' },
    data: { value: 'c2VjcmV0' },
  }),
  captured('', 'persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'web-data', namespace: 'shop' },
    spec: { storageClassName: 'fast', volumeName: 'pv-web', accessModes: ['ReadWriteOnce'] },
  }),
  captured('', 'persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-web' },
    spec: { storageClassName: 'fast', capacity: { storage: '1Gi' } },
  }),
  captured('storage.k8s.io', 'storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: 'example.com/fast',
  }),
  captured('autoscaling', 'horizontalpodautoscalers', {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'shop', labels: { [ENTITY_LABEL]: 'storefront' } },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 6 },
  }),
  captured('networking.k8s.io', 'ingresses', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop', labels: { [ENTITY_LABEL]: 'storefront' } },
    spec: { rules: [{ host: 'shop.example.com' }], tls: [{ hosts: ['shop.example.com'] }] },
  }),
];

/** The id of the snapshot the last plan came from. */
let snapshotId = '';

async function planHydration(
  options: Partial<HydrateOptions> = {},
): Promise<{ plan: RestorePlan; hydration: ReturnType<typeof hydrationRestore> }> {
  const { snapshot, records, source } = snapshotOf(SHOP);
  snapshotId = snapshot.id;
  const hydration = hydrationRestore(
    { snapshot, records, sourceNamespace: 'shop' },
    { targetNamespace: 'dev-alice', entity: 'storefront', ...options },
  );
  const plan = await planRestore(source, snapshot, hydration.options, undefined, hydration.profile);
  return { plan, hydration };
}

const names = (plan: RestorePlan) =>
  plan.objects.map(({ type, object }) =>
    [type.kind, object.metadata.namespace, object.metadata.name].filter(Boolean).join('/'),
  );
const written = (plan: RestorePlan, kind: string, name: string) =>
  plan.objects.find(({ type, object }) => type.kind === kind && object.metadata.name === name)
    ?.object;

describe('hydration as a restore profile', () => {
  it("writes the entity's components and their namespaced dependencies into the target, and nothing else", async () => {
    const { plan } = await planHydration();
    expect(names(plan).sort()).toEqual([
      'Deployment/dev-alice/web',
      'Namespace/dev-alice',
      'PersistentVolumeClaim/dev-alice/web-data',
    ]);
    // The copy is a new claim: it must not bind production's volume.
    expect(written(plan, 'PersistentVolumeClaim', 'web-data')?.spec).toEqual({
      storageClassName: 'fast',
      accessModes: ['ReadWriteOnce'],
    });
    expect(plan.warnings).toEqual([
      'cluster-scoped dependencies left out (a hydration writes only its namespace): PersistentVolume/pv-web, StorageClass/fast',
    ]);
  });

  it('scales workloads down, and labels and annotates everything with the snapshot and the choice', async () => {
    const { plan, hydration } = await planHydration({ replicas: 0 });
    const web = written(plan, 'Deployment', 'web')!;
    expect((web.spec as { replicas: number }).replicas).toBe(0);
    expect(hydration.hydratedFrom).toBe('a1b2c3d4e5f60718');
    for (const { object, implied } of plan.objects) {
      if (implied) continue;
      expect(object.metadata.labels?.['kube-backup.io/hydrated-from']).toBe('a1b2c3d4e5f60718');
      expect(object.metadata.annotations).toMatchObject({
        'kube-backup.io/hydrated-from-snapshot': snapshotId,
        'kube-backup.io/hydrated-selection': 'namespace=shop; entity=storefront',
      });
    }
  });

  it('leaves Secrets behind unless asked to copy them', async () => {
    expect(names((await planHydration()).plan)).not.toContain('Secret/dev-alice/db-password');
    expect(names((await planHydration({ secrets: 'copy' })).plan)).toContain(
      'Secret/dev-alice/db-password',
    );
  });

  it('drops an autoscaler that would scale the copy back up, and keeps one that cannot', async () => {
    const dropped = await planHydration({ replicas: 1 });
    expect(names(dropped.plan)).not.toContain('HorizontalPodAutoscaler/dev-alice/web');
    expect(dropped.hydration.droppedAutoscalers).toEqual([
      'HorizontalPodAutoscaler/web (scales Deployment/web)',
    ]);
    const kept = await planHydration({ replicas: 6 });
    expect(names(kept.plan)).toContain('HorizontalPodAutoscaler/dev-alice/web');
    expect(kept.hydration.droppedAutoscalers).toEqual([]);
  });

  it("leaves out an Ingress on production's host, and moves it to the host suffix when given one", async () => {
    const leftOut = await planHydration();
    expect(names(leftOut.plan)).not.toContain('Ingress/dev-alice/web');
    expect(leftOut.hydration.leftOutIngresses).toEqual([
      {
        name: 'web',
        hosts: ['shop.example.com'],
        reason: 'host shop.example.com is a production host',
        catchAll: false,
      },
    ]);
    const moved = await planHydration({ ingressHostSuffix: 'dev.example.test' });
    expect(written(moved.plan, 'Ingress', 'web')?.spec).toEqual({
      rules: [{ host: 'shop.example.com.dev.example.test' }],
      tls: [{ hosts: ['shop.example.com.dev.example.test'] }],
    });
    expect(moved.hydration.leftOutIngresses).toEqual([]);
  });

  it("applies an environment's transforms and refuses one that matches nothing", async () => {
    const { plan } = await planHydration({
      transforms: { storageClassMapping: { fast: 'dev-standard' } },
    });
    expect(written(plan, 'PersistentVolumeClaim', 'web-data')?.spec).toMatchObject({
      storageClassName: 'dev-standard',
    });
    await expect(
      planHydration({ transforms: { storageClassMapping: { slow: 'dev-standard' } } }),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: /storage class mapping slow/ });
  });
});

describe('checkHydrateOptions', () => {
  const refusal = (options: Partial<HydrateOptions>) => {
    try {
      checkHydrateOptions({ targetNamespace: 'dev-alice', ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return (error as UserError).message;
    }
    return undefined;
  };

  it('takes a valid target, replicas and host suffix', () => {
    expect(refusal({ replicas: 0, ingressHostSuffix: 'dev.example.test' })).toBeUndefined();
  });

  it('refuses a target that is no namespace name, replicas that are no count, a suffix that is no DNS name', () => {
    expect(refusal({ targetNamespace: 'Dev_Alice' })).toMatch(
      /^"Dev_Alice" is not a valid namespace name/,
    );
    expect(refusal({ replicas: -1 })).toBe('replicas must be a whole number ≥ 0, not -1');
    expect(refusal({ replicas: 1.5 })).toBe('replicas must be a whole number ≥ 0, not 1.5');
    expect(refusal({ ingressHostSuffix: 'dev..example' })).toMatch(
      /^Ingress host suffix "dev\.\.example" is /,
    );
  });
});
