import type { Knex } from 'knex';
import { findPostgresBin, startPostgres, type TestPostgres } from '../testing/postgres';
import { newSqliteDatabase, sqliteAvailable } from '../testing/sqlite';
import { HydrationStore } from './HydrationStore';
import { applyMigrations } from './migrate';
import { RestoreRequestStore } from './RestoreRequestStore';

const bin = findPostgresBin();
if (!bin)
  console.warn('skipping the PostgreSQL store suite: install the Debian package "postgresql"');
if (!sqliteAvailable())
  console.warn('skipping the SQLite store suite: the sqlite3 driver did not build');

interface Database {
  open(): Promise<Knex>;
  close(): Promise<void>;
}

function postgresDatabase(): Database {
  let postgres: TestPostgres | undefined;
  return {
    open: async () => {
      postgres = await startPostgres(bin as string);
      return postgres.newDatabase();
    },
    close: async () => postgres?.stop(),
  };
}

function sqliteDatabase(): Database {
  let db: Knex | undefined;
  return {
    open: async () => (db = newSqliteDatabase()),
    close: async () => db?.destroy(),
  };
}

// The same stores on Backstage's production database and on its development one.
describe.each([
  ['PostgreSQL', bin !== undefined, postgresDatabase],
  ['SQLite', sqliteAvailable(), sqliteDatabase],
] as const)('restore request and hydration stores on %s', (_name, available, database) => {
  const suite = available ? describe : describe.skip;
  suite('', () => {
    const backing = database();
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
});
