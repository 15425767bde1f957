// The plugin under a permission policy that denies: each refused call is a 403 that names
// the permission, and nothing is stored, started or written.
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  HydrationJobList,
  RestoreRequest,
  RestoreRequestList,
  SnapshotList,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import { Repository } from '@kube-backup/core';
import type { Knex } from 'knex';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storefront } from '../../../test/fixtures/entities';
import { startTestCluster, type TestCluster } from '../../../test/src/server';
import { startKubeBackupTestBackend, type TestBackend } from './testing/backend';
import { deploymentRecord, FAST_KDF, saveSnapshot } from './testing/repository';
import { describeNeeding } from '../../../test/src/testing/components';
import { newSqliteDatabase, sqliteMissing } from './testing/sqlite';

const describeWithSqlite = describeNeeding([sqliteMissing()]);

const OUTSIDER = 'user:default/outsider';
const DEVELOPER = 'user:default/dev';
const OWNER = 'user:default/alice';
const STOREFRONT = '/entities/component/default/storefront';

/** Outsiders may do nothing; developers may not hydrate; nobody may approve restores. */
function policy(permission: string, user: string) {
  if (user === OUTSIDER) return AuthorizeResult.DENY;
  if (permission === 'kube-backup.hydrate' && user === DEVELOPER) return AuthorizeResult.DENY;
  if (permission === 'kube-backup.restore.approve') return AuthorizeResult.DENY;
  return AuthorizeResult.ALLOW;
}

describeWithSqlite('kube-backup backend plugin under a denying permission policy', () => {
  let cluster: TestCluster;
  let knex: Knex;
  let repoDir: string;
  let backend: TestBackend;
  let snapshotId: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-permissions-repo-'));
    const repository = await Repository.init(`file://${repoDir}`, 'password', { kdf: FAST_KDF });
    snapshotId = (
      await saveSnapshot(repository, {
        time: new Date().toISOString(),
        entities: ['storefront'],
        namespaces: ['shop'],
        records: [
          deploymentRecord('storefront', 'shop', { 'backstage.io/kubernetes-id': 'storefront' }),
        ],
      })
    ).id;
    await repository.close();
    knex = newSqliteDatabase();
    backend = await startKubeBackupTestBackend({
      repository: { location: `file://${repoDir}`, password: 'password' },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [{ name: 'dev', cluster: 'dev', namespaces: ['dev-*'] }],
      protectedNamespaces: [],
      knex,
      entities: [storefront],
      memberships: { [OWNER]: ['group:default/shop-team'] },
      defaultUser: DEVELOPER,
      policy,
    });
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
    await knex?.destroy();
    await cluster?.stop();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  const call = <T>(path: string, options?: { user?: string; method?: string; body?: unknown }) =>
    backend.call<T & { error?: { message: string } }>(path, options);

  it('refuses everything to a user the policy denies, and stores nothing', async () => {
    const reads = [
      `${STOREFRONT}/snapshots`,
      `${STOREFRONT}/snapshots/${snapshotId}`,
      `${STOREFRONT}/hydration-targets`,
      `${STOREFRONT}/hydrations`,
      `${STOREFRONT}/restore-requests`,
    ];
    for (const path of reads) {
      const response = await call(path, { user: OUTSIDER });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.body.error?.message).toBe(
        'not allowed: kube-backup.snapshots.read on component:default/storefront',
      );
    }
    const request = await call(`${STOREFRONT}/restore-requests`, {
      user: OUTSIDER,
      method: 'POST',
      body: { snapshotId, reason: 'let me in' },
    });
    expect(request.status).toBe(403);
    const stored = await call<RestoreRequestList>(`${STOREFRONT}/restore-requests`);
    expect(stored.body.items).toEqual([]);
  });

  it('lets a developer read but not hydrate when the policy withholds kube-backup.hydrate', async () => {
    const list = await call<SnapshotList>(`${STOREFRONT}/snapshots`);
    expect(list.status).toBe(200);
    expect(list.body.items.map(item => item.id)).toEqual([snapshotId]);
    const started = await call(`${STOREFRONT}/hydrations`, {
      method: 'POST',
      body: { snapshotId, target: 'dev', namespace: 'dev-bob' },
    });
    expect(started.status).toBe(403);
    expect(started.body.error?.message).toBe(
      'not allowed: kube-backup.hydrate on component:default/storefront',
    );
    const jobs = await call<HydrationJobList>(`${STOREFRONT}/hydrations`);
    expect(jobs.body.items).toEqual([]);
    expect(cluster.store.get('v1', 'Namespace', undefined, 'dev-bob')).toBeUndefined();
  });

  it('keeps a request pending when the policy withholds approval, even from an owner', async () => {
    const requested = await call<RestoreRequest>(`${STOREFRONT}/restore-requests`, {
      method: 'POST',
      body: { snapshotId, reason: 'outage' },
    });
    expect(requested.status).toBe(201);
    const decided = await call(`/restore-requests/${requested.body.id}/decision`, {
      user: OWNER,
      method: 'POST',
      body: { decision: 'approve' },
    });
    expect(decided.status).toBe(403);
    expect(decided.body.error?.message).toBe(
      'not allowed: kube-backup.restore.approve on component:default/storefront',
    );
    const after = await call<RestoreRequest>(`/restore-requests/${requested.body.id}`);
    expect(after.body.status).toBe('pending');
    expect(cluster.store.list('apps/v1', 'Deployment', 'shop')).toEqual([]);
  });
});
