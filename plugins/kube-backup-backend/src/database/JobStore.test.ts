import type { Knex } from 'knex';
import { describeNeeding } from '../../../../test/src/testing/components';
import { postgresMissing, startPostgres, type TestPostgres } from '../testing/postgres';
import { newSqliteDatabase, sqliteMissing } from '../testing/sqlite';
import { HydrationStore } from './HydrationStore';
import { applyMigrations } from './migrate';
import { RestoreRequestStore, type NewRestoreRequest } from './RestoreRequestStore';

const newRequest = (db: Knex, overrides: Partial<NewRestoreRequest> = {}) =>
  new RestoreRequestStore(db).create({
    entityRef: 'component:default/storefront',
    snapshotId: 'b'.repeat(64),
    cluster: 'production',
    scope: {},
    reason: 'test',
    requestedBy: 'user:default/dev',
    ...overrides,
  });

interface Database {
  missing?: string;
  open(): Promise<Knex>;
  close(): Promise<void>;
}

function postgresDatabase(): Database {
  let postgres: TestPostgres | undefined;
  return {
    missing: postgresMissing(),
    open: async () => {
      postgres = await startPostgres();
      return postgres.newDatabase();
    },
    close: async () => postgres?.stop(),
  };
}

function sqliteDatabase(): Database {
  let db: Knex | undefined;
  return {
    missing: sqliteMissing(),
    open: async () => (db = newSqliteDatabase()),
    close: async () => db?.destroy(),
  };
}

// The same stores on Backstage's production database and on its development one.
for (const [name, database] of [
  ['PostgreSQL', postgresDatabase],
  ['SQLite', sqliteDatabase],
] as const) {
  const backing = database();
  describeNeeding([backing.missing])(`job stores on ${name}`, () => {
    let db: Knex;

    beforeAll(async () => {
      db = await backing.open();
      await applyMigrations(db);
    }, 60_000);

    afterAll(async () => {
      await backing.close();
    });

    it('migrations are idempotent', async () => {
      await applyMigrations(db);
      expect(await db.schema.hasTable('kube_backup_hydrations')).toBe(true);
      expect(await db.schema.hasTable('kube_backup_restore_requests')).toBe(true);
    });

    it('records a request, one decision and its outcome', async () => {
      const store = new RestoreRequestStore(db);
      const before = Date.now();
      const created = await newRequest(db, {
        entityRef: 'component:default/payments-api',
        scope: { namespaces: ['payments'], objects: ['deployment/payments-api'] },
        reason: 'bad config rolled out',
      });
      expect(created).toMatchObject({
        status: 'pending',
        scope: { namespaces: ['payments'], objects: ['deployment/payments-api'] },
        requestedBy: 'user:default/dev',
      });
      // Stamped when it was made, as the database read it back.
      expect(Date.parse(created.requestedAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(created.requestedAt)).toBeLessThanOrEqual(Date.now());

      expect(await store.decide(created.id, { status: 'approved', by: 'user:default/owner' })).toBe(
        true,
      );
      // A second decision (a concurrent reject, say) loses.
      expect(await store.decide(created.id, { status: 'rejected', by: 'user:default/other' })).toBe(
        false,
      );
      await store.markRunning(created.id);
      await store.finish(created.id, { status: 'succeeded', result: { created: 3 } });
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

    it('ends jobs each way the job runner ends them, and refuses a hydration that restored nothing', async () => {
      const restores = new RestoreRequestStore(db);
      const hydrations = new HydrationStore(db);
      const nothing = await newRequest(db);
      await restores.finish(nothing.id, {
        status: 'nothing-restored',
        outcomeMessage: 'nothing restored: no object matches',
      });
      expect(await restores.get(nothing.id)).toMatchObject({
        status: 'nothing-restored',
        outcomeMessage: 'nothing restored: no object matches',
        error: undefined,
        outcome: undefined,
      });
      const failed = await newRequest(db);
      await restores.finish(failed.id, {
        status: 'failed',
        error: '1 of 2 objects failed',
        result: { counts: { failed: 1 } },
      });
      expect(await restores.get(failed.id)).toMatchObject({
        status: 'failed',
        error: '1 of 2 objects failed',
        outcome: { counts: { failed: 1 } },
        outcomeMessage: undefined,
      });

      const job = await hydrations.create({
        entityRef: 'component:default/storefront',
        snapshotId: 'c'.repeat(64),
        target: 'dev',
        cluster: 'dev',
        namespace: 'dev-alice',
        createdBy: 'user:default/alice',
      });
      await hydrations.finish(job.id, { status: 'succeeded', result: { counts: { created: 2 } } });
      const ended = await hydrations.get(job.id);
      expect(ended).toMatchObject({ status: 'succeeded', result: { counts: { created: 2 } } });
      expect(ended?.finishedAt).toBeDefined();
      await expect(
        hydrations.finish(job.id, { status: 'nothing-restored', outcomeMessage: 'x' }),
      ).rejects.toThrow('a hydration cannot end nothing-restored');
    });

    it('marks work cut short by a restart as failed', async () => {
      const store = new RestoreRequestStore(db);
      const request = await newRequest(db);
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
      await hydrations.markRunning(job.id);
      await hydrations.recordProgress(job.id, {
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
}
