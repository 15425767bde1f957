// End to end through the plugin's router: a snapshot captured with core from the Kubernetes
// API test server (seeded with the production fixture), hydrated into a dev namespace and
// restored into production by the backend's jobs, checked in the test server's store.
import type {
  HydrationJob,
  HydrationPlan,
  RestoreRequest,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { captureSnapshot, connectToCluster, Repository } from '@kube-backup/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKubeBackupTestBackend, type TestBackend } from './testing/backend';
import { storefront } from '../../../test/fixtures/entities';
import { startTestCluster, type TestCluster } from '../../../test/src/server';
import { describeNeeding } from '../../../test/src/testing/components';
import { postgresMissing, startPostgres, type TestPostgres } from './testing/postgres';
import { hydrationEnded, restoreEnded } from './testing/jobs';
import { FAST_KDF } from './testing/repository';

const describeWithPostgres = describeNeeding([postgresMissing()]);

const PASSWORD = 'correct horse battery staple';
const FIXTURES = resolve(__dirname, '../../../test/fixtures/production');
const PRODUCTION_SECRETS = ['storefront-secrets', 'storefront-tls', 'cart-redis-auth'];

const OWNER = 'user:default/alice';
const DEVELOPER = 'user:default/dev';

describeWithPostgres('backend jobs over core against the Kubernetes API test server', () => {
  let cluster: TestCluster;
  let postgres: TestPostgres;
  let repoDir: string;
  let backend: TestBackend;
  let snapshotId: string;

  beforeAll(async () => {
    cluster = await startTestCluster({ seed: [FIXTURES] });
    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-backend-e2e-'));
    const repository = await Repository.init(`file://${repoDir}`, PASSWORD, { kdf: FAST_KDF });
    const connection = await connectToCluster({ kubeconfig: cluster.kubeconfigPath });
    try {
      const snapshot = await captureSnapshot(connection, repository, {
        namespaces: ['shop'],
        entities: ['storefront'],
      });
      snapshotId = snapshot.id;
    } finally {
      connection.client.close();
      await repository.close();
    }

    postgres = await startPostgres();
    backend = await startKubeBackupTestBackend({
      repository: { location: `file://${repoDir}`, password: PASSWORD },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [
        { name: 'dev', cluster: 'dev', namespaces: ['dev-*'] },
        { name: 'sandbox', cluster: 'dev', namespaces: ['sandbox-*'], allowSecrets: true },
      ],
      protectedNamespaces: ['shop', 'kube-system'],
      knex: await postgres.newDatabase(),
      entities: [storefront],
      memberships: { [OWNER]: ['group:default/shop-team'] },
      defaultUser: DEVELOPER,
    });
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
    await postgres?.stop();
    await cluster?.stop();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  const call: TestBackend['call'] = (path, options) => backend.call(path, options);

  async function hydrate(body: Record<string, unknown>): Promise<HydrationJob> {
    // Hydration reads production objects: the entity's owner hydrates.
    const started = await call<HydrationJob>('/entities/component/default/storefront/hydrations', {
      method: 'POST',
      user: OWNER,
      body: { snapshotId, ...body },
    });
    expect(started.status).toBe(202);
    return hydrationEnded(backend, started.body.id);
  }

  const names = (objects: Array<{ metadata?: { name?: string } }>) =>
    objects.map(object => object.metadata?.name).sort();
  const backendAudit = (eventId: string) =>
    backend.audit.events.filter(event => event.eventId === eventId);

  it('hydrates the entity into a dev namespace: scaled down, labelled, without Secrets', async () => {
    const job = await hydrate({ target: 'dev', namespace: 'dev-alice' });
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(1);

    const deployment = cluster.store.get('apps/v1', 'Deployment', 'dev-alice', 'storefront');
    expect(deployment?.spec).toMatchObject({ replicas: 1 });
    expect(deployment?.metadata?.labels?.['kube-backup.io/hydrated-from']).toBe(
      snapshotId.slice(0, 16),
    );
    expect(names(cluster.store.list('apps/v1', 'Deployment', 'dev-alice'))).toEqual([
      'cart',
      'storefront',
    ]);
    expect(names(cluster.store.list('v1', 'ConfigMap', 'dev-alice'))).toEqual(
      expect.arrayContaining(['storefront-config', 'storefront-nginx', 'cart-config']),
    );
    expect(names(cluster.store.list('v1', 'Service', 'dev-alice'))).toContain('storefront');
    // No production Secret came along; the report says which ones the workloads need.
    const secrets = names(cluster.store.list('v1', 'Secret', 'dev-alice'));
    expect(secrets.filter(name => PRODUCTION_SECRETS.includes(name as string))).toEqual([]);
    const missing = (job.result?.missingSecrets as Array<{ name: string }>).map(s => s.name);
    expect(missing).toEqual(expect.arrayContaining(['storefront-secrets']));
    // The autoscaler would scale it back up: left out, and said so.
    expect(cluster.store.list('autoscaling/v2', 'HorizontalPodAutoscaler', 'dev-alice')).toEqual(
      [],
    );
    expect(job.result?.droppedAutoscalers).toEqual([expect.stringMatching(/storefront/)]);
    expect(job.log.map(line => line.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^reading \d+ objects from the snapshot$/),
        expect.stringMatching(/^writing workloads \(\d+\)$/),
        expect.stringMatching(/^Secret storefront-secrets is not in dev-alice/),
        'hydration finished',
      ]),
    );
    // Production is untouched.
    expect(cluster.store.get('apps/v1', 'Deployment', 'shop', 'storefront')?.spec).toMatchObject({
      replicas: 3,
    });
  }, 60_000);

  it('plans a hydration by a server dry run: what the hydration then writes, by kind, and nothing before', async () => {
    const body = { snapshotId, target: 'dev', namespace: 'dev-planned', replicas: 0 };
    const planned = await call<HydrationPlan>(
      '/entities/component/default/storefront/hydration-plans',
      { method: 'POST', user: OWNER, body },
    );
    expect(planned.status).toBe(200);
    const plan = planned.body;
    expect(plan).toMatchObject({
      namespace: 'dev-planned',
      sourceNamespace: 'shop',
      cluster: 'dev',
    });
    expect(names(cluster.store.list('v1', 'Namespace'))).not.toContain('dev-planned');
    // Plurals as the cluster's discovery names the resources.
    const resources = Object.fromEntries(plan.kinds.map(kind => [kind.kind, kind.resource]));
    expect(resources).toMatchObject({
      Deployment: 'deployments',
      NetworkPolicy: 'networkpolicies',
      PodDisruptionBudget: 'poddisruptionbudgets',
    });
    // What a hydration never writes is not in the plan, and the plan says why: Secrets (not
    // asked for), the autoscaler that would undo the replicas, the Ingress that would take
    // production's traffic, cluster-scoped dependencies.
    for (const kind of ['Secret', 'HorizontalPodAutoscaler', 'Ingress', 'StorageClass']) {
      expect(resources).not.toHaveProperty(kind);
    }
    expect(plan.droppedAutoscalers).toEqual([expect.stringMatching(/storefront/)]);
    expect(plan.leftOutIngresses).toEqual([
      { name: 'storefront', reason: expect.stringMatching(/production host/) },
    ]);

    const job = await hydrate({ target: 'dev', namespace: 'dev-planned', replicas: 0 });
    expect(job.status).toBe('succeeded');
    const written = (job.result?.objects as Array<{ kind: string; name: string; outcome: string }>)
      .map(object => `${object.kind}/${object.name} ${object.outcome}`)
      .sort();
    const inPlan = plan.kinds
      .flatMap(kind => kind.objects.map(object => `${kind.kind}/${object.name} ${object.outcome}`))
      .sort();
    expect(inPlan).toEqual(written);
    expect(backendAudit('hydration-plan')).toEqual([
      expect.objectContaining({ outcome: 'success', meta: expect.objectContaining(body) }),
    ]);
  }, 60_000);

  it('refuses to plan what it would refuse to hydrate (403), and says why', async () => {
    const refused = await call<{ error: { message: string } }>(
      '/entities/component/default/storefront/hydration-plans',
      { method: 'POST', user: OWNER, body: { snapshotId, target: 'dev', namespace: 'shop' } },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'namespace "shop" is not one target "dev" allows (dev-*)',
    );
    const notOwner = await call<{ error: { message: string } }>(
      '/entities/component/default/storefront/hydration-plans',
      { method: 'POST', body: { snapshotId, target: 'dev', namespace: 'dev-x' } },
    );
    expect(notOwner.status).toBe(403);
  });

  it('brings Secrets and the asked-for replicas where the target allows Secrets', async () => {
    const job = await hydrate({
      target: 'sandbox',
      namespace: 'sandbox-alice',
      includeSecrets: true,
      replicas: 2,
    });
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(
      cluster.store.get('apps/v1', 'Deployment', 'sandbox-alice', 'storefront')?.spec,
    ).toMatchObject({ replicas: 2 });
    expect(names(cluster.store.list('v1', 'Secret', 'sandbox-alice'))).toEqual(
      expect.arrayContaining(['storefront-secrets', 'storefront-tls']),
    );
  }, 60_000);

  it('restores a deleted ConfigMap into production once an owner approves', async () => {
    expect(cluster.store.remove('v1', 'ConfigMap', 'shop', 'storefront-config')).toBe(true);
    const requested = await call<RestoreRequest>(
      '/entities/component/default/storefront/restore-requests',
      {
        method: 'POST',
        body: {
          snapshotId,
          reason: 'storefront-config deleted by mistake',
          scope: { namespaces: ['shop'], objects: ['ConfigMap/storefront-config'] },
        },
      },
    );
    expect(requested.status).toBe(201);
    // Nothing happens before the approval.
    expect(cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-config')).toBeUndefined();
    const approved = await call<RestoreRequest>(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: OWNER,
      body: { decision: 'approve' },
    });
    expect(approved.status).toBe(200);
    const finished = await restoreEnded(backend, requested.body.id);
    expect(finished.error).toBeUndefined();
    expect(finished.status).toBe('succeeded');
    expect(finished.outcome).toMatchObject({ counts: { created: 1, failed: 0 } });
    expect(finished.log?.map(line => line.message)).toContain('restore finished');
    const configMap = cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-config');
    expect(configMap?.data).toBeDefined();
    // Only the named object was written: everything else was left as it was.
    const objects = finished.outcome?.objects as Array<{ kind: string; name: string }>;
    expect(objects.map(object => `${object.kind}/${object.name}`)).toEqual([
      'ConfigMap/storefront-config',
    ]);
  }, 60_000);

  it('applies the snapshot’s version over a changed object only when the request asks to', async () => {
    const live = cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-nginx')!;
    const original = live.data as Record<string, string>;
    const broken = Object.fromEntries(Object.keys(original).map(key => [key, 'broken by hand']));
    cluster.store.apply({ ...live, data: broken });
    const restore = async (existing?: 'update') => {
      const requested = await call<RestoreRequest>(
        '/entities/component/default/storefront/restore-requests',
        {
          method: 'POST',
          body: {
            snapshotId,
            reason: 'nginx config broken',
            scope: { objects: ['ConfigMap/storefront-nginx'], ...(existing ? { existing } : {}) },
          },
        },
      );
      expect(requested.status).toBe(201);
      await call(`/restore-requests/${requested.body.id}/decision`, {
        method: 'POST',
        user: OWNER,
        body: { decision: 'approve' },
      });
      return restoreEnded(backend, requested.body.id);
    };

    const left = await restore();
    expect(left.status).toBe('succeeded');
    expect(left.outcome).toMatchObject({ counts: { 'skipped-exists': 1, updated: 0 } });
    expect(cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-nginx')?.data).toEqual(broken);

    const overwritten = await restore('update');
    expect(overwritten.scope.existing).toBe('update');
    expect(overwritten.status).toBe('succeeded');
    expect(overwritten.outcome).toMatchObject({ counts: { updated: 1 } });
    expect(cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-nginx')?.data).toEqual(
      original,
    );
  }, 60_000);

  it('refuses a restore request whose existing-object policy it does not know (400)', async () => {
    const response = await call<{ error: { message: string } }>(
      '/entities/component/default/storefront/restore-requests',
      {
        method: 'POST',
        body: { snapshotId, reason: 'x', scope: { existing: 'replace' } },
      },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('scope.existing must be "skip" or "update"');
  });
});
