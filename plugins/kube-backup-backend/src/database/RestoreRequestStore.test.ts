import type { Knex } from 'knex';
import { findPostgresBin, startPostgres, type TestPostgres } from '../testing/postgres';
import { HydrationStore } from './HydrationStore';
import { applyMigrations } from './migrate';
import { RestoreRequestStore } from './RestoreRequestStore';

const bin = findPostgresBin();
// The Debian package `postgresql` provides the server; without it this suite cannot run.
const describeWithPostgres = bin ? describe : describe.skip;
if (!bin) {
  console.warn('skipping PostgreSQL store tests: install the Debian package "postgresql"');
}

describeWithPostgres('restore request and hydration stores on PostgreSQL', () => {
  let postgres: TestPostgres;
  let db: Knex;

  beforeAll(async () => {
    postgres = await startPostgres(bin as string);
    db = await postgres.newDatabase();
    await applyMigrations(db);
  }, 60_000);

  afterAll(async () => {
    await postgres?.stop();
  });

  it('migrations are idempotent', async () => {
    await applyMigrations(db);
    const tables = await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
    expect(tables).toEqual(
      expect.arrayContaining(['kube_backup_hydrations', 'kube_backup_restore_requests']),
    );
  });

  it('records a request, one decision and its outcome', async () => {
    const store = new RestoreRequestStore(db);
    const created = await store.create({
      entityRef: 'component:default/payments-api',
      snapshotId: 'a'.repeat(64),
      cluster: 'production',
      scope: { namespaces: ['payments'], objects: ['deployment/payments-api'] },
      reason: 'bad config rolled out',
      requestedBy: 'user:default/dev',
    });
    expect(created).toMatchObject({
      status: 'pending',
      scope: { namespaces: ['payments'], objects: ['deployment/payments-api'] },
      requestedBy: 'user:default/dev',
    });
    expect(Date.parse(created.requestedAt)).toBeGreaterThan(Date.now() - 60_000);

    expect(await store.decide(created.id, { status: 'approved', by: 'user:default/owner' })).toBe(
      true,
    );
    // A second decision (a concurrent reject, say) loses.
    expect(await store.decide(created.id, { status: 'rejected', by: 'user:default/other' })).toBe(
      false,
    );
    await store.markRunning(created.id);
    await store.finish(created.id, { status: 'succeeded', outcome: { created: 3 } });
    const done = await store.get(created.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      decidedBy: 'user:default/owner',
      outcome: { created: 3 },
    });
    expect(done?.startedAt).toBeDefined();
    expect(done?.finishedAt).toBeDefined();
    expect((await store.listForEntity('component:default/payments-api')).map(r => r.id)).toEqual([
      created.id,
    ]);
    expect(await store.listForEntity('component:default/other')).toEqual([]);
  });

  it('marks work cut short by a restart as failed', async () => {
    const store = new RestoreRequestStore(db);
    const request = await store.create({
      entityRef: 'component:default/storefront',
      snapshotId: 'b'.repeat(64),
      cluster: 'production',
      scope: {},
      reason: 'test',
      requestedBy: 'user:default/dev',
    });
    await store.decide(request.id, { status: 'approved', by: 'user:default/owner' });
    await store.markRunning(request.id);
    expect(await store.failInterrupted()).toBe(1);
    expect(await store.get(request.id)).toMatchObject({ status: 'failed' });

    const hydrations = new HydrationStore(db);
    const job = await hydrations.create({
      entityRef: 'component:default/storefront',
      snapshotId: 'b'.repeat(64),
      target: 'dev',
      cluster: 'dev',
      namespace: 'dev-alice',
      createdBy: 'user:default/alice',
    });
    await hydrations.update(job.id, {
      status: 'running',
      progress: 0.5,
      log: [{ time: new Date().toISOString(), level: 'info', message: 'half way' }],
    });
    expect(await hydrations.get(job.id)).toMatchObject({
      status: 'running',
      progress: 0.5,
      log: [{ level: 'info', message: 'half way' }],
    });
    expect(await hydrations.failInterrupted()).toBe(1);
    expect(await hydrations.get(job.id)).toMatchObject({ status: 'failed' });
  });
});
