import type { Knex } from 'knex';
import type { Entity } from '@backstage/catalog-model';
import type {
  HydrationJob,
  HydrationPlan,
  HydrationTargetList,
  RestoreRequest,
  SnapshotDetail,
  SnapshotList,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { Repository } from '@kube-backup/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeBackupTestBackend, type TestBackend } from './testing/backend';
import { hydrationEnded, restoreEnded } from './testing/jobs';
import { storefront } from '../../../test/fixtures/entities';
import { startTestCluster, type TestCluster } from '../../../test/src/server';
import { describeNeeding } from '../../../test/src/testing/components';
import { newSqliteDatabase, sqliteMissing } from './testing/sqlite';
import { deploymentRecord, FAST_KDF, saveSnapshot } from './testing/repository';

// The plugin runs on SQLite here, as in a development Backstage; the store suite and the
// engine suite run on PostgreSQL, Backstage's production database.
const describeWithSqlite = describeNeeding([sqliteMissing()]);

const PASSWORD = 'correct horse battery staple';

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-namespace': 'payments',
      'backstage.io/kubernetes-label-selector': 'app=payments',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'user:bob' },
};

/** Group memberships as the catalog would resolve them into ownership refs. */
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

const MEMBERSHIP: Record<string, string[]> = {
  'user:default/alice': ['group:default/shop-team'],
  'user:default/dev': ['group:default/developers'],
};

const HOUR = 3600_000;
const BASE = Date.parse('2026-05-01T00:00:00Z');
const at = (hours: number) => new Date(BASE + hours * HOUR).toISOString();

describeWithSqlite('kube-backup backend plugin', () => {
  let cluster: TestCluster;
  let knex: Knex;
  let repoDir: string;
  let backend: TestBackend;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // The Kubernetes API test server stands in for both the production and the dev cluster.
    cluster = await startTestCluster();
    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-backend-repo-'));
    const repository = await Repository.init(`file://${repoDir}`, PASSWORD, { kdf: FAST_KDF });
    const storefrontDeploy = deploymentRecord('storefront', 'shop', {
      'backstage.io/kubernetes-id': 'storefront',
    });
    // Six storefront snapshots, one an hour; two tagged release.
    for (let hour = 0; hour < 6; hour += 1) {
      const snapshot = await saveSnapshot(repository, {
        time: at(hour),
        tags: hour % 3 === 0 ? ['release'] : ['nightly'],
        entities: ['storefront'],
        namespaces: ['shop'],
        records: [
          storefrontDeploy,
          {
            group: '',
            version: 'v1',
            kind: 'Pod',
            resource: 'pods',
            namespace: 'shop',
            name: `storefront-${hour}`,
            labels: { 'backstage.io/kubernetes-id': 'storefront' },
            restorable: false,
            images: [{ container: 'web', image: 'shop/web:1', digest: 'sha256:abc' }],
            phase: 'Running',
          },
        ],
        images: [{ container: 'web', image: 'shop/web:1', digest: 'sha256:abc' }],
        volumes: [{ namespace: 'shop', claim: 'data', size: '1Gi' }],
        errors: hour === 5 ? [{ resource: 'secrets', message: 'forbidden' }] : [],
      });
      ids[`storefront-${hour}`] = snapshot.id;
    }
    // payments-api: found by namespace and label selector, not by id.
    ids.payments = (
      await saveSnapshot(repository, {
        time: at(2),
        namespaces: ['payments'],
        records: [deploymentRecord('payments-api', 'payments', { app: 'payments' })],
      })
    ).id;
    // Same namespace, other workload: not a payments-api snapshot.
    ids.other = (
      await saveSnapshot(repository, {
        time: at(3),
        namespaces: ['payments'],
        records: [deploymentRecord('ledger', 'payments', { app: 'ledger' })],
      })
    ).id;
    await repository.close();

    knex = newSqliteDatabase();
    backend = await startKubeBackupTestBackend({
      repository: { location: `file://${repoDir}`, password: PASSWORD },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [
        { name: 'dev', cluster: 'dev', namespaces: ['dev-*', 'prod-*'] },
        { name: 'numbered', cluster: 'dev', namespaces: ['team-?'] },
        {
          name: 'payments-sandbox',
          cluster: 'dev',
          namespaces: ['sandbox-*'],
          entities: ['component:default/payments-api'],
          allowSecrets: true,
        },
      ],
      protectedNamespaces: ['prod-*', 'kube-system'],
      knex,
      entities: [storefront, payments],
      config: {
        // payments-api claims its namespace without a kubernetes-id: granted to its owner.
        namespaceOwners: [{ namespace: 'payments', owners: ['user:default/bob'] }],
        // A team of one: its owner may approve their own requests (the default is four eyes).
        restore: { allowSelfApproval: true },
      },
      memberships: MEMBERSHIP,
      defaultUser: 'user:default/dev',
    });
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
    await knex?.destroy();
    await cluster?.stop();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  const call: TestBackend['call'] = (path, options) => backend.call(path, options);

  const STOREFRONT = '/entities/component/default/storefront';
  const PAYMENTS = '/entities/component/default/payments-api';

  it("lists an entity's snapshots newest first, paged", async () => {
    const page = await call<SnapshotList>(`${STOREFRONT}/snapshots?limit=4`);
    expect(page.status).toBe(200);
    expect(page.body.totalCount).toBe(6);
    expect(page.body.items.map(item => item.id)).toEqual(
      [5, 4, 3, 2].map(hour => ids[`storefront-${hour}`]),
    );
    expect(page.body.items[0]).toMatchObject({
      status: 'partial',
      errorCount: 1,
      objectCount: 2,
      restorableCount: 1,
      volumeCount: 1,
      sizeBytes: 1000,
      cluster: { name: 'production' },
    });
    const next = await call<SnapshotList>(`${STOREFRONT}/snapshots?limit=4&offset=4`);
    expect(next.body.items.map(item => item.id)).toEqual(
      [1, 0].map(hour => ids[`storefront-${hour}`]),
    );
  });

  it('filters by tag and time range', async () => {
    const release = await call<SnapshotList>(`${STOREFRONT}/snapshots?tag=release`);
    expect(release.body.items.map(item => item.id)).toEqual([
      ids['storefront-3'],
      ids['storefront-0'],
    ]);
    const window = await call<SnapshotList>(
      `${STOREFRONT}/snapshots?since=${encodeURIComponent(at(1))}&until=${encodeURIComponent(at(3))}`,
    );
    expect(window.body.items.map(item => item.id)).toEqual(
      [3, 2, 1].map(hour => ids[`storefront-${hour}`]),
    );
    const bad = await call<{ error: { message: string } }>(
      `${STOREFRONT}/snapshots?since=yesterday`,
    );
    expect(bad.status).toBe(400);
    expect((await call(`${STOREFRONT}/snapshots?limit=0`)).status).toBe(400);
  });

  it('finds snapshots by namespace and label selector annotations', async () => {
    const list = await call<SnapshotList>(`${PAYMENTS}/snapshots`);
    expect(list.body.items.map(item => item.id)).toEqual([ids.payments]);
  });

  it('returns 404 for an unknown entity', async () => {
    expect((await call(`/entities/component/default/nothing/snapshots`)).status).toBe(404);
  });

  it("shows one snapshot's detail, and only the entity's snapshots", async () => {
    const detail = await call<SnapshotDetail>(`${STOREFRONT}/snapshots/${ids['storefront-5']}`);
    expect(detail.status).toBe(200);
    expect(detail.body.objectsByKind.Deployment).toEqual([
      expect.objectContaining({ name: 'storefront', namespace: 'shop', restorable: true }),
    ]);
    expect(detail.body.objectsByKind.Pod).toEqual([
      expect.objectContaining({ name: 'storefront-5', restorable: false, phase: 'Running' }),
    ]);
    expect(detail.body.images).toEqual([
      { container: 'web', image: 'shop/web:1', digest: 'sha256:abc' },
    ]);
    // The snapshot's volume is no claim of storefront's (none is recorded): not shown.
    expect(detail.body.volumes).toEqual([]);
    expect(detail.body.errors).toEqual([{ resource: 'secrets', message: 'forbidden' }]);
    // A prefix works; another entity's snapshot does not.
    const prefixed = await call<SnapshotDetail>(
      `${STOREFRONT}/snapshots/${ids['storefront-5'].slice(0, 12)}`,
    );
    expect(prefixed.body.id).toBe(ids['storefront-5']);
    expect((await call(`${STOREFRONT}/snapshots/${ids.payments}`)).status).toBe(404);
    expect((await call(`${PAYMENTS}/snapshots/${ids.other}`)).status).toBe(404);
  });

  it('lists the hydration targets an entity may use, to its owners', async () => {
    const storefrontTargets = await call<HydrationTargetList>(`${STOREFRONT}/hydration-targets`, {
      user: ALICE,
    });
    expect(storefrontTargets.body.items).toEqual([
      { name: 'dev', cluster: 'dev', namespaces: ['dev-*', 'prod-*'], allowSecrets: false },
      { name: 'numbered', cluster: 'dev', namespaces: ['team-?'], allowSecrets: false },
    ]);
    const paymentsTargets = await call<HydrationTargetList>(`${PAYMENTS}/hydration-targets`, {
      user: BOB,
    });
    expect(paymentsTargets.body.items.map(target => [target.name, target.allowSecrets])).toEqual([
      ['dev', false],
      ['numbered', false],
      ['payments-sandbox', true],
    ]);
    // Not to a developer who owns neither.
    const forDeveloper = await call<HydrationTargetList>(`${STOREFRONT}/hydration-targets`);
    expect(forDeveloper.body.items).toEqual([]);
  });

  it('refuses hydration into a target, namespace or protected namespace not allowed, or with Secrets a target does not allow (403)', async () => {
    const snapshotId = ids['storefront-5'];
    const refused = [
      { snapshotId, target: 'payments-sandbox', namespace: 'sandbox-1' },
      { snapshotId, target: 'dev', namespace: 'staging' },
      { snapshotId, target: 'dev', namespace: 'prod-shop' },
      { snapshotId, target: 'dev', namespace: 'dev-secrets', includeSecrets: true },
    ];
    for (const body of refused) {
      const response = await call(`${STOREFRONT}/hydrations`, {
        method: 'POST',
        user: ALICE,
        body,
      });
      expect(response.status).toBe(403);
    }
    const jobs = await call<{ items: HydrationJob[] }>(`${STOREFRONT}/hydrations`);
    expect(jobs.body.items).toEqual([]);
    expect(backend.audit.events.filter(event => event.eventId === 'hydration-start')).toEqual(
      refused.map(() => expect.objectContaining({ outcome: 'failure' })),
    );
    const secretsRefused = await call<{ error: { message: string } }>(`${STOREFRONT}/hydrations`, {
      method: 'POST',
      user: ALICE,
      body: refused[3],
    });
    expect(secretsRefused.body.error.message).toMatch(/does not allow Secrets/);
    expect(cluster.store.list('v1', 'Namespace').map(ns => ns.metadata?.name)).not.toContain(
      'dev-secrets',
    );
  });

  it('takes a ? in a target’s pattern as one character, as the dialog does (team-1 yes, team-10 no)', async () => {
    const plan = (namespace: string) =>
      call<HydrationPlan & { error?: { message: string } }>(`${STOREFRONT}/hydration-plans`, {
        method: 'POST',
        user: ALICE,
        body: { snapshotId: ids['storefront-5'], target: 'numbered', namespace },
      });
    const one = await plan('team-1');
    expect(one.status).toBe(200);
    expect(one.body.kinds.map(kind => [kind.kind, kind.resource, kind.objects.length])).toEqual([
      ['Deployment', 'deployments', 1],
      ['Namespace', 'namespaces', 1],
    ]);
    const ten = await plan('team-10');
    expect(ten.status).toBe(403);
    expect(ten.body.error?.message).toBe(
      'namespace "team-10" is not one target "numbered" allows (team-?)',
    );
    // A plan is a dry run: nothing was written.
    expect(cluster.store.list('v1', 'Namespace').map(ns => ns.metadata?.name)).not.toContain(
      'team-1',
    );
  });

  it('runs a hydration as a job with status and log kept in the database', async () => {
    const started = await call<HydrationJob>(`${STOREFRONT}/hydrations`, {
      method: 'POST',
      user: ALICE,
      body: {
        snapshotId: ids['storefront-4'].slice(0, 10),
        target: 'dev',
        namespace: 'dev-dev',
        replicas: 0,
      },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      snapshotId: ids['storefront-4'],
      cluster: 'dev',
      namespace: 'dev-dev',
      createdBy: ALICE,
    });
    const job = await hydrationEnded(backend, started.body.id);
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(1);
    expect(job.result).toMatchObject({
      targetNamespace: 'dev-dev',
      sourceNamespace: 'shop',
      hydratedFrom: ids['storefront-4'].slice(0, 16),
      counts: { created: 2, failed: 0 },
    });
    expect(job.log.map(line => line.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hydrating component:default\/storefront/),
        expect.stringMatching(/^writing workloads/),
        'hydration finished',
      ]),
    );
    // Core wrote it, scaled as asked and labelled with the snapshot it came from.
    const deployment = cluster.store.get('apps/v1', 'Deployment', 'dev-dev', 'storefront');
    expect(deployment?.spec).toMatchObject({ replicas: 0 });
    expect(deployment?.metadata?.labels?.['kube-backup.io/hydrated-from']).toBe(
      ids['storefront-4'].slice(0, 16),
    );
    const list = await call<{ items: HydrationJob[] }>(`${STOREFRONT}/hydrations`);
    expect(list.body.items.map(item => item.id)).toEqual([started.body.id]);
    expect(backend.audit.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: 'hydration-start', outcome: 'success' }),
        expect.objectContaining({ eventId: 'hydration-run', outcome: 'success' }),
      ]),
    );
  });

  it('takes a restore request, refuses a non-owner (403) and runs it on an owner’s approval', async () => {
    const requested = await call<RestoreRequest>(`${STOREFRONT}/restore-requests`, {
      method: 'POST',
      user: 'user:default/dev',
      body: {
        snapshotId: ids['storefront-3'],
        reason: 'bad deploy',
        scope: { namespaces: ['shop'] },
      },
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({
      status: 'pending',
      cluster: 'production',
      requestedBy: 'user:default/dev',
    });

    const byRequester = await call(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: 'user:default/dev',
      body: { decision: 'approve' },
    });
    expect(byRequester.status).toBe(403);
    expect((await call<RestoreRequest>(`/restore-requests/${requested.body.id}`)).body.status).toBe(
      'pending',
    );

    const approved = await call<RestoreRequest>(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: 'user:default/alice',
      body: { decision: 'approve', comment: 'go' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'user:default/alice' });
    const again = await call(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: 'user:default/alice',
      body: { decision: 'reject' },
    });
    expect(again.status).toBe(409);

    const finished = await restoreEnded(backend, requested.body.id);
    expect(finished.error).toBeUndefined();
    expect(finished.status).toBe('succeeded');
    expect(finished.finishedAt).toBeDefined();
    expect(finished.outcome).toMatchObject({ counts: { created: 2, failed: 0 } });
    expect(finished.progress).toBe(1);
    expect(finished.log?.map(line => line.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^restoring component:default\/storefront/),
        'restore finished',
      ]),
    );
    const restored = cluster.store.get('apps/v1', 'Deployment', 'shop', 'storefront');
    expect(restored?.spec).toMatchObject({ replicas: 2 });
    expect(backend.audit.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: 'restore-request', outcome: 'success' }),
        expect.objectContaining({ eventId: 'restore-decision', outcome: 'failure' }),
        expect.objectContaining({ eventId: 'restore-decision', outcome: 'success' }),
        expect.objectContaining({ eventId: 'restore-run', outcome: 'success' }),
      ]),
    );
  });

  it('lets an owner approve their own request where kubeBackup.restore.allowSelfApproval is on, and audits it so', async () => {
    const requested = await call<RestoreRequest>(`${STOREFRONT}/restore-requests`, {
      method: 'POST',
      user: ALICE,
      body: { snapshotId: ids['storefront-3'], reason: 'bad deploy' },
    });
    expect(requested.status).toBe(201);
    const approved = await call<RestoreRequest>(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: ALICE,
      body: { decision: 'approve' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ requestedBy: ALICE, decidedBy: ALICE });
    await restoreEnded(backend, requested.body.id);
    expect(
      backend.audit.events.filter(
        event => event.eventId === 'restore-decision' && event.meta.requestId === requested.body.id,
      ),
    ).toEqual([
      expect.objectContaining({
        outcome: 'success',
        meta: expect.objectContaining({ requestedBy: ALICE, selfApproval: 'allowed' }),
      }),
    ]);
  });

  it('lets an owner reject, by user ref as well as by group', async () => {
    const requested = await call<RestoreRequest>(`${PAYMENTS}/restore-requests`, {
      method: 'POST',
      body: { snapshotId: ids.payments, reason: 'test' },
    });
    expect(requested.status).toBe(201);
    const notOwner = await call(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: 'user:default/alice',
      body: { decision: 'reject' },
    });
    expect(notOwner.status).toBe(403);
    const rejected = await call<RestoreRequest>(`/restore-requests/${requested.body.id}/decision`, {
      method: 'POST',
      user: 'user:default/bob',
      body: { decision: 'reject', comment: 'not needed' },
    });
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionComment: 'not needed' });
    const list = await call<{ items: RestoreRequest[] }>(`${PAYMENTS}/restore-requests`);
    expect(list.body.items.map(item => item.status)).toEqual(['rejected']);
  });

  it('rejects malformed bodies with 400', async () => {
    expect(
      (await call(`${STOREFRONT}/restore-requests`, { method: 'POST', body: { snapshotId: 'x' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call(`${STOREFRONT}/hydrations`, {
          method: 'POST',
          body: { snapshotId: 'x', target: 'dev', namespace: 'Bad_NS' },
        })
      ).status,
    ).toBe(400);
    // A hydration and its plan take one body, parsed by one schema.
    for (const route of ['hydrations', 'hydration-plans']) {
      for (const replicas of [11, -1, 1.5, '2']) {
        const response = await call<{ error: { message: string } }>(`${STOREFRONT}/${route}`, {
          method: 'POST',
          body: { snapshotId: ids['storefront-5'], target: 'dev', namespace: 'dev-x', replicas },
        });
        expect(response.status).toBe(400);
        expect(response.body.error.message).toBe('replicas must be a whole number from 0 to 10');
      }
    }
    const decision = await call<{ error: { message: string } }>('/restore-requests/any/decision', {
      method: 'POST',
      body: { decision: 'maybe' },
    });
    expect(decision.status).toBe(400);
    expect(decision.body.error.message).toBe('decision must be "approve" or "reject"');
  });
});
