// The portal keeps each team to its own entities: end to end through HTTP with real
// Backstage user tokens of several users, a catalog holding entities that claim their
// objects by kubernetes-id, by namespace alone and by label selector alone, snapshots
// captured by core from the seeded production cluster, and that cluster (the Kubernetes API
// test server) as both the production and the dev cluster.
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  HydrationJob,
  HydrationJobList,
  HydrationTargetList,
  RestoreRequest,
  RestoreRequestList,
  SnapshotDetail,
  SnapshotList,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { captureSnapshot, connectToCluster, Repository } from '@kube-backup/core';
import type { Knex } from 'knex';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ledgerReports,
  paymentsApi,
  shopPlatform,
  shopWorkloads,
  storefront,
} from '../../../test/fixtures/entities';
import { startTestCluster, type TestCluster } from '../../../test/src/server';
import { RestoreRequestStore } from './database/RestoreRequestStore';
import { startKubeBackupTestBackend, type TestBackend } from './testing/backend';
import { hydrationEnded, restoreEnded } from './testing/jobs';
import { FAST_KDF } from './testing/repository';
import { describeNeeding } from '../../../test/src/testing/components';
import { newSqliteDatabase, sqliteMissing } from './testing/sqlite';

const describeWithSqlite = describeNeeding([sqliteMissing()]);

const PASSWORD = 'correct horse battery staple';
const FIXTURES = resolve(__dirname, '../../../test/fixtures/production');

/** Owners of the shop's entities. */
const ALICE = 'user:default/alice';
const CAROL = 'user:default/carol';
/** Owner of payments-api. */
const PAULA = 'user:default/paula';
/** An SRE whom the permission policy grants kube-backup.hydrate for payments-api only. */
const SAM = 'user:default/sam';
/** A developer in no owning group; the policy allows them everything, unconditionally. */
const DEV = 'user:default/dev';

const MEMBERSHIPS = {
  [ALICE]: ['group:default/shop-team'],
  [CAROL]: ['group:default/shop-team'],
  [PAULA]: ['group:default/payments-team'],
  [SAM]: ['group:default/sre'],
  [DEV]: ['group:default/developers'],
};

const STOREFRONT = '/entities/component/default/storefront';
const PAYMENTS = '/entities/component/default/payments-api';
const SHOP_PLATFORM = '/entities/component/default/shop-platform';
const SHOP_WORKLOADS = '/entities/component/default/shop-workloads';
const LEDGER_REPORTS = '/entities/component/default/ledger-reports';

type ErrorBody = { error: { name: string; message: string } };

describeWithSqlite('the portal keeps each team to its own entities', () => {
  let cluster: TestCluster;
  let repoDir: string;
  let knex: Knex;
  let backend: TestBackend;
  /** Oldest first: payments alone, then both teams' namespaces together, then shop alone. */
  const snapshots = { paymentsOnly: '', both: '', shopOnly: '' };

  beforeAll(async () => {
    cluster = await startTestCluster({ seed: [FIXTURES] });
    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-security-repo-'));
    const repository = await Repository.init(`file://${repoDir}`, PASSWORD, { kdf: FAST_KDF });
    const connection = await connectToCluster({ kubeconfig: cluster.kubeconfigPath });
    try {
      const captures = {
        paymentsOnly: { namespaces: ['payments'], entities: ['payments-api'] },
        both: { namespaces: ['shop', 'payments'], entities: ['storefront', 'payments-api'] },
        shopOnly: { namespaces: ['shop'], entities: ['storefront'] },
      };
      for (const [name, capture] of Object.entries(captures)) {
        const snapshot = await captureSnapshot(connection, repository, capture);
        snapshots[name as keyof typeof snapshots] = snapshot.id;
      }
    } finally {
      connection.client.close();
      await repository.close();
    }
    knex = newSqliteDatabase();
    backend = await startKubeBackupTestBackend({
      repository: { location: `file://${repoDir}`, password: PASSWORD },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [
        { name: 'dev', cluster: 'dev', namespaces: ['dev-*'] },
        {
          name: 'test',
          cluster: 'dev',
          namespaces: ['test-*'],
          allowedOwners: ['group:default/shop-team'],
          allowSecrets: true,
        },
        { name: 'sandbox', cluster: 'dev', namespaces: ['sandbox-*'], allowSecrets: true },
      ],
      protectedNamespaces: ['shop', 'payments', 'monitoring', 'kube-system'],
      config: {
        namespaceOwners: [
          { namespace: 'shop', owners: ['group:default/shop-team'] },
          { namespace: 'payments', owners: ['group:default/payments-team'] },
        ],
      },
      knex,
      entities: [storefront, paymentsApi, shopPlatform, shopWorkloads, ledgerReports],
      memberships: MEMBERSHIPS,
      defaultUser: ALICE,
      policy: (permission, user) =>
        user === SAM && permission === 'kube-backup.hydrate'
          ? { onlyForEntities: ['component:default/payments-api'] }
          : AuthorizeResult.ALLOW,
    });
  }, 180_000);

  afterAll(async () => {
    await backend?.stop();
    await knex?.destroy();
    await cluster?.stop();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  const call = <T>(path: string, options?: { user?: string; method?: string; body?: unknown }) =>
    backend.call<T>(path, options);
  const names = (objects: Array<{ metadata?: { name?: string } }>) =>
    objects.map(object => object.metadata?.name).sort();
  const namespaceNames = () => names(cluster.store.list('v1', 'Namespace'));

  describe('11: hydration needs ownership of the entity, or a permission granted for it', () => {
    it('refuses a non-owner another team’s entity, Secrets or not, even through a target their group may use', async () => {
      const attempts = [
        // The reported case: shop-team may use `test`, and `test` allows Secrets.
        {
          user: ALICE,
          body: {
            snapshotId: snapshots.both,
            target: 'test',
            namespace: 'test-steal',
            includeSecrets: true,
          },
        },
        // Allowed everything by the policy, but not for this entity in particular.
        { user: DEV, body: { snapshotId: snapshots.both, target: 'dev', namespace: 'dev-steal' } },
      ];
      for (const { user, body } of attempts) {
        const response = await call<ErrorBody>(`${PAYMENTS}/hydrations`, {
          user,
          method: 'POST',
          body,
        });
        expect({ user, status: response.status }).toEqual({ user, status: 403 });
        expect(response.body.error.message).toBe(
          'only an owner of component:default/payments-api (group:default/payments-team), or a user a permission policy grants kube-backup.hydrate for it, may hydrate it',
        );
        const targets = await call<HydrationTargetList>(`${PAYMENTS}/hydration-targets`, { user });
        expect(targets.body.items).toEqual([]);
      }
      expect(namespaceNames()).not.toEqual(expect.arrayContaining(['test-steal']));
      expect(namespaceNames()).not.toEqual(expect.arrayContaining(['dev-steal']));
      const jobs = await call<HydrationJobList>(`${PAYMENTS}/hydrations`, { user: PAULA });
      expect(jobs.body.items).toEqual([]);
      expect(
        backend.audit.events
          .filter(event => event.eventId === 'hydration-start')
          .map(event => [event.meta.entityRef, event.meta.namespace, event.outcome]),
      ).toEqual([
        ['component:default/payments-api', 'test-steal', 'failure'],
        ['component:default/payments-api', 'dev-steal', 'failure'],
      ]);
    });

    it('lets a user the policy grants hydration for this entity hydrate it, but never with Secrets', async () => {
      const targets = await call<HydrationTargetList>(`${PAYMENTS}/hydration-targets`, {
        user: SAM,
      });
      expect(targets.body.items.map(target => [target.name, target.allowSecrets])).toEqual([
        ['dev', false],
        ['sandbox', false],
      ]);
      const withSecrets = await call<ErrorBody>(`${PAYMENTS}/hydrations`, {
        user: SAM,
        method: 'POST',
        body: {
          snapshotId: snapshots.both,
          target: 'sandbox',
          namespace: 'sandbox-sam',
          includeSecrets: true,
        },
      });
      expect(withSecrets.status).toBe(403);
      expect(withSecrets.body.error.message).toBe(
        'only an owner of component:default/payments-api (group:default/payments-team) may hydrate its Secrets; hydrate without them',
      );
      // The grant is for payments-api only.
      const elsewhere = await call<ErrorBody>(`${STOREFRONT}/hydrations`, {
        user: SAM,
        method: 'POST',
        body: { snapshotId: snapshots.both, target: 'sandbox', namespace: 'sandbox-sam' },
      });
      expect(elsewhere.status).toBe(403);

      const started = await call<HydrationJob>(`${PAYMENTS}/hydrations`, {
        user: SAM,
        method: 'POST',
        body: { snapshotId: snapshots.both, target: 'sandbox', namespace: 'sandbox-sam' },
      });
      expect(started.status).toBe(202);
      const job = await hydrationEnded(backend, started.body.id);
      expect(job.error).toBeUndefined();
      expect(job.status).toBe('succeeded');
      expect(names(cluster.store.list('apps/v1', 'Deployment', 'sandbox-sam'))).toEqual([
        'payments-api',
        'payments-worker',
      ]);
      expect(names(cluster.store.list('v1', 'Secret', 'sandbox-sam'))).not.toEqual(
        expect.arrayContaining(['stripe-api-key']),
      );
    }, 120_000);

    it('lets an owner hydrate with Secrets where the target allows them', async () => {
      const started = await call<HydrationJob>(`${PAYMENTS}/hydrations`, {
        user: PAULA,
        method: 'POST',
        body: {
          snapshotId: snapshots.both,
          target: 'sandbox',
          namespace: 'sandbox-paula',
          includeSecrets: true,
        },
      });
      expect(started.status).toBe(202);
      const job = await hydrationEnded(backend, started.body.id);
      expect(job.status).toBe('succeeded');
      expect(names(cluster.store.list('v1', 'Secret', 'sandbox-paula'))).toEqual(
        expect.arrayContaining(['stripe-api-key', 'payments-db-credentials']),
      );
    }, 120_000);
  });

  describe('12: a restore request’s scope only narrows its entity’s own objects', () => {
    it('refuses, when asked, a scope reaching outside the entity (400, the reason named)', async () => {
      const refused = [
        {
          path: SHOP_PLATFORM,
          scope: { namespaces: ['payments'] },
          message: `scope.namespaces: payments holds none of component:default/shop-platform's objects in snapshot ${snapshots.both.slice(0, 12)} (they are in shop)`,
        },
        {
          path: STOREFRONT,
          scope: { namespaces: ['shop', 'payments'] },
          message: `scope.namespaces: payments holds none of component:default/storefront's objects in snapshot ${snapshots.both.slice(0, 12)} (they are in shop)`,
        },
        {
          path: STOREFRONT,
          scope: { objects: ['Secret/stripe-api-key'] },
          message: `scope.objects: Secret/stripe-api-key is not one of component:default/storefront's objects in snapshot ${snapshots.both.slice(0, 12)}`,
        },
        {
          path: STOREFRONT,
          scope: { objects: ['Secret/storefront-secrets'], includeSecrets: false },
          message: `the scope matches none of component:default/storefront's objects in snapshot ${snapshots.both.slice(0, 12)}: nothing would be restored`,
        },
      ];
      for (const { path, scope, message } of refused) {
        const response = await call<ErrorBody>(`${path}/restore-requests`, {
          method: 'POST',
          body: { snapshotId: snapshots.both, reason: 'outage', scope },
        });
        expect({ path, scope, status: response.status }).toEqual({ path, scope, status: 400 });
        expect(response.body.error.message).toBe(message);
      }
      for (const path of [SHOP_PLATFORM, STOREFRONT]) {
        const stored = await call<RestoreRequestList>(`${path}/restore-requests`);
        expect(stored.body.items).toEqual([]);
      }
    });

    it('intersects the scope again when the restore runs: nothing outside the entity is written, and the request says so (16)', async () => {
      // A request stored before its entity's claim was confined (or written to the database
      // by hand) still cannot reach another team's namespace.
      const stored = await new RestoreRequestStore(knex).create({
        entityRef: 'component:default/shop-platform',
        snapshotId: snapshots.both,
        cluster: 'production',
        scope: { namespaces: ['payments'], existing: 'update' },
        reason: 'outage',
        requestedBy: ALICE,
      });
      const live = cluster.store.get('v1', 'Secret', 'payments', 'stripe-api-key')!;
      const rotated = { 'api-key': Buffer.from('rotated since').toString('base64') };
      cluster.store.apply({ ...live, data: rotated });

      const approved = await call<RestoreRequest>(`/restore-requests/${stored.id}/decision`, {
        user: CAROL,
        method: 'POST',
        body: { decision: 'approve' },
      });
      expect(approved.status).toBe(200);
      const finished = await restoreEnded(backend, stored.id);
      expect(finished.status).toBe('nothing-restored');
      expect(finished.outcomeMessage).toBe(
        "nothing restored: the request names namespaces (payments) outside component:default/shop-platform's namespaces in this snapshot (shop)",
      );
      expect(cluster.store.get('v1', 'Secret', 'payments', 'stripe-api-key')?.data).toEqual(
        rotated,
      );
      expect(backend.audit.events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            eventId: 'restore-run',
            outcome: 'success',
            meta: expect.objectContaining({ requestId: stored.id, status: 'nothing-restored' }),
          }),
        ]),
      );
    }, 60_000);
  });

  describe('13: four eyes', () => {
    it('refuses the requester’s own approval; another owner’s approval runs it, and the audit log names both', async () => {
      expect(cluster.store.remove('v1', 'ConfigMap', 'shop', 'storefront-config')).toBe(true);
      const requested = await call<RestoreRequest>(`${STOREFRONT}/restore-requests`, {
        user: ALICE,
        method: 'POST',
        body: {
          snapshotId: snapshots.shopOnly,
          reason: 'config deleted',
          scope: { objects: ['ConfigMap/storefront-config'] },
        },
      });
      expect(requested.status).toBe(201);
      const own = await call<ErrorBody>(`/restore-requests/${requested.body.id}/decision`, {
        user: ALICE,
        method: 'POST',
        body: { decision: 'approve' },
      });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toBe(
        'user:default/alice requested this restore; another owner of component:default/storefront (group:default/shop-team) must approve it',
      );
      expect(
        (await call<RestoreRequest>(`/restore-requests/${requested.body.id}`)).body.status,
      ).toBe('pending');
      expect(cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-config')).toBeUndefined();

      const approved = await call<RestoreRequest>(
        `/restore-requests/${requested.body.id}/decision`,
        {
          user: CAROL,
          method: 'POST',
          body: { decision: 'approve' },
        },
      );
      expect(approved.status).toBe(200);
      const finished = await restoreEnded(backend, requested.body.id);
      expect(finished).toMatchObject({ status: 'succeeded', decidedBy: CAROL });
      expect(cluster.store.get('v1', 'ConfigMap', 'shop', 'storefront-config')).toBeDefined();
      const decisions = backend.audit.events.filter(
        event => event.eventId === 'restore-decision' && event.meta.requestId === requested.body.id,
      );
      expect(decisions).toEqual([
        expect.objectContaining({
          outcome: 'failure',
          meta: expect.objectContaining({ requestedBy: ALICE, selfApproval: 'refused' }),
        }),
        expect.objectContaining({
          outcome: 'success',
          meta: expect.objectContaining({ requestedBy: ALICE, selfApproval: 'no' }),
        }),
      ]);
    }, 60_000);

    it('lets the requester withdraw (reject) their own request', async () => {
      const requested = await call<RestoreRequest>(`${STOREFRONT}/restore-requests`, {
        user: ALICE,
        method: 'POST',
        body: { snapshotId: snapshots.shopOnly, reason: 'asked too soon' },
      });
      const withdrawn = await call<RestoreRequest>(
        `/restore-requests/${requested.body.id}/decision`,
        { user: ALICE, method: 'POST', body: { decision: 'reject', comment: 'not needed' } },
      );
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body).toMatchObject({ status: 'rejected', decidedBy: ALICE });
    });
  });

  describe('14: an entity’s snapshot detail shows only its own objects', () => {
    const objectsOf = (detail: SnapshotDetail) => Object.values(detail.objectsByKind).flat();

    it('shows storefront’s objects, images and volumes of a snapshot holding payments too', async () => {
      const detail = await call<SnapshotDetail>(`${STOREFRONT}/snapshots/${snapshots.both}`);
      expect(detail.status).toBe(200);
      const objects = objectsOf(detail.body);
      expect(objects.filter(object => object.namespace === 'payments')).toEqual([]);
      expect(detail.body.objectsByKind.Deployment.map(object => object.name)).toEqual([
        'cart',
        'storefront',
      ]);
      expect(detail.body.objectsByKind.Pod?.length).toBeGreaterThan(0);
      expect(detail.body.images.map(image => image.image).sort()).toEqual([
        'docker.io/library/nginx:1.27.3',
        'docker.io/library/redis:7.2.4',
        'ghcr.io/acme/cart:1.9.0',
        'ghcr.io/acme/storefront:2.14.1',
      ]);
      expect(detail.body.volumes.map(volume => `${volume.namespace}/${volume.claim}`)).toEqual([
        'shop/data-cart-redis-0',
        'shop/data-cart-redis-1',
      ]);
      expect(detail.body.namespaces).toEqual(['shop']);
      expect(detail.body.objectCount).toBe(objects.length);
    });

    it('shows payments-api only its own objects of the same snapshot', async () => {
      const detail = await call<SnapshotDetail>(`${PAYMENTS}/snapshots/${snapshots.both}`, {
        user: PAULA,
      });
      expect(detail.status).toBe(200);
      expect(objectsOf(detail.body).filter(object => object.namespace === 'shop')).toEqual([]);
      expect(detail.body.images.map(image => image.image)).not.toContain(
        'ghcr.io/acme/storefront:2.14.1',
      );
    });
  });

  describe('15: latest', () => {
    it('means the entity’s newest snapshot, not the repository’s', async () => {
      const payments = await call<SnapshotDetail>(`${PAYMENTS}/snapshots/latest`, { user: PAULA });
      expect(payments.status).toBe(200);
      expect(payments.body.id).toBe(snapshots.both);
      const shop = await call<SnapshotDetail>(`${STOREFRONT}/snapshots/latest`);
      expect(shop.body.id).toBe(snapshots.shopOnly);
    });
  });

  describe('17: a claim without a kubernetes-id reaches only namespaces the config grants', () => {
    it('refuses a namespace-only claim on a namespace not granted to the entity or its owners', async () => {
      const message =
        'component:default/ledger-reports claims namespace payments (backstage.io/kubernetes-namespace) without a backstage.io/kubernetes-id, and kubeBackup.namespaceOwners does not grant payments to it or its owners (group:default/shop-team)';
      const attempts = [
        { path: `${LEDGER_REPORTS}/snapshots` },
        { path: `${LEDGER_REPORTS}/snapshots/${snapshots.paymentsOnly}` },
        {
          path: `${LEDGER_REPORTS}/restore-requests`,
          method: 'POST',
          body: { snapshotId: snapshots.paymentsOnly, reason: 'audit' },
        },
        {
          path: `${LEDGER_REPORTS}/hydrations`,
          method: 'POST',
          body: { snapshotId: snapshots.paymentsOnly, target: 'test', namespace: 'test-ledger' },
        },
      ];
      for (const { path, ...request } of attempts) {
        const response = await call<ErrorBody>(path, request);
        expect({ path, status: response.status }).toEqual({ path, status: 403 });
        expect(response.body.error.message).toBe(message);
      }
      expect(namespaceNames()).not.toEqual(expect.arrayContaining(['test-ledger']));
      // The refused requests are in the audit log, with the reason.
      expect(
        backend.audit.events
          .filter(event => event.meta.entityRef === 'component:default/ledger-reports')
          .map(event => [event.eventId, event.outcome, event.meta.error]),
      ).toEqual([
        ['restore-request', 'failure', message],
        ['hydration-start', 'failure', message],
      ]);
      const targets = await call<ErrorBody>(`${LEDGER_REPORTS}/hydration-targets`);
      expect(targets.status).toBe(403);
    });

    it('confines a broad selector-only claim to the granted namespaces', async () => {
      const list = await call<SnapshotList>(`${SHOP_WORKLOADS}/snapshots`);
      expect(list.status).toBe(200);
      expect(list.body.items.map(item => item.id)).toEqual([snapshots.shopOnly, snapshots.both]);
      const detail = await call<SnapshotDetail>(`${SHOP_WORKLOADS}/snapshots/${snapshots.both}`);
      const objects = Object.values(detail.body.objectsByKind).flat();
      expect(objects.length).toBeGreaterThan(0);
      expect(objects.filter(object => object.namespace !== 'shop')).toEqual([]);
    });

    it('serves a namespace-only claim on a granted namespace', async () => {
      const list = await call<SnapshotList>(`${SHOP_PLATFORM}/snapshots`);
      expect(list.body.items.map(item => item.id)).toEqual([snapshots.shopOnly, snapshots.both]);
    });
  });
});

describeWithSqlite('repository failures, as the portal reports them', () => {
  let cluster: TestCluster;
  let repoDir: string;
  let knex: Knex;
  let backend: TestBackend;

  beforeAll(async () => {
    cluster = await startTestCluster();
    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-wrong-password-repo-'));
    await (await Repository.init(`file://${repoDir}`, PASSWORD, { kdf: FAST_KDF })).close();
    knex = newSqliteDatabase();
    backend = await startKubeBackupTestBackend({
      repository: { location: `file://${repoDir}`, password: 'not the password' },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [],
      protectedNamespaces: [],
      knex,
      entities: [storefront],
      memberships: MEMBERSHIPS,
      defaultUser: ALICE,
    });
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
    await knex?.destroy();
    await cluster?.stop();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  it('answers 503 with what is wrong when the configured password does not open the repository', async () => {
    for (const path of [`${STOREFRONT}/snapshots`, `${STOREFRONT}/snapshots/latest`]) {
      const response = await backend.call<ErrorBody>(path);
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expect(response.body.error).toEqual({
        name: 'ServiceUnavailableError',
        message:
          "wrong repository password: kubeBackup.repository.password in the backend's config does not open the snapshot repository; an administrator must correct it",
      });
    }
  });
});
