// The job runner alone, over the real stores on SQLite: work held at known steps (a gate)
// and the recorder's writes held until the test releases them, so each assertion sees the
// job exactly at the step it names.
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { RestoreReport } from '@kube-backup/core';
import type { Knex } from 'knex';
import { HydrationStore } from '../database/HydrationStore';
import { applyMigrations } from '../database/migrate';
import { RestoreRequestStore } from '../database/RestoreRequestStore';
import { recordingAuditor } from '../testing/audit';
import { heldFlushes, stepGate } from '../testing/gate';
import { describeNeeding } from '../../../../test/src/testing/components';
import { newSqliteDatabase, sqliteMissing } from '../testing/sqlite';
import { JobRunner, type Job } from './JobRunner';

const describeWithSqlite = describeNeeding([sqliteMissing()]);

function report(objects: RestoreReport['objects']): RestoreReport {
  const counts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    'skipped-exists': 0,
    failed: 0,
    deleted: 0,
  };
  for (const object of objects) counts[object.outcome] += 1;
  return {
    snapshotId: 'a'.repeat(64),
    target: { context: 'dev', server: 'https://dev.example' },
    dryRun: false,
    startedAt: new Date().toISOString(),
    durationMs: 5,
    phases: { planningMs: 1, checkingMs: 1, writingMs: 3 },
    objects,
    counts,
    warnings: [],
    overrides: [],
    concurrency: 4,
  };
}

const written = (kind: string, name: string, outcome: 'created' | 'failed', message?: string) => ({
  group: kind === 'Deployment' ? 'apps' : '',
  version: 'v1',
  kind,
  namespace: 'dev-alice',
  name,
  outcome,
  message,
});

const quietLogger: LoggerService = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => quietLogger,
};

describeWithSqlite('job runner', () => {
  let db: Knex;
  let hydrations: HydrationStore;
  let restores: RestoreRequestStore;

  beforeAll(async () => {
    db = newSqliteDatabase();
    await applyMigrations(db);
    hydrations = new HydrationStore(db);
    restores = new RestoreRequestStore(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  function setUp() {
    const audit = recordingAuditor();
    const flushes = heldFlushes();
    const runner = new JobRunner({
      auditor: audit.auditor,
      logger: quietLogger,
      scheduleFlush: flushes.schedule,
    });
    return { audit, flushes, runner };
  }

  const newHydration = () =>
    hydrations.create({
      entityRef: 'component:default/storefront',
      snapshotId: 'a'.repeat(64),
      target: 'dev',
      cluster: 'dev',
      namespace: 'dev-alice',
      createdBy: 'user:default/alice',
    });

  const hydrationJob = (id: string, work: Job['work']): Job => ({
    id,
    records: hydrations,
    audit: { eventId: 'hydration-run', meta: { jobId: id } },
    startMessage: 'hydrating component:default/storefront',
    work,
  });

  const runEnded = (audit: ReturnType<typeof recordingAuditor>, eventId: string) =>
    audit.next(event => event.eventId === eventId);

  it('shows a hydration at each step it is held at, then its end, and audits the run', async () => {
    const { audit, flushes, runner } = setUp();
    const steps = stepGate();
    const job = await newHydration();
    const done = report([written('Deployment', 'storefront', 'created')]);
    runner.start(
      hydrationJob(job.id, async progress => {
        progress.progress(0.3, 'reading 12 objects from the snapshot');
        await steps.pass('loaded');
        progress.progress(0.75, 'writing workloads (1)');
        await steps.pass('written');
        return { report: done, meta: { counts: done.counts } };
      }),
    );

    await steps.reached('loaded');
    await flushes.writeNow();
    expect(await hydrations.get(job.id)).toMatchObject({
      status: 'running',
      progress: 0.3,
      log: [
        { level: 'info', message: 'hydrating component:default/storefront' },
        { level: 'info', message: 'reading 12 objects from the snapshot' },
      ],
    });
    expect((await hydrations.get(job.id))?.startedAt).toBeDefined();

    steps.open('loaded');
    await steps.reached('written');
    await flushes.writeNow();
    const writing = await hydrations.get(job.id);
    expect(writing).toMatchObject({ status: 'running', progress: 0.75 });
    expect(writing?.log.at(-1)?.message).toBe('writing workloads (1)');
    expect(audit.events).toEqual([]);

    steps.open('written');
    const event = await runEnded(audit, 'hydration-run');
    expect(event).toMatchObject({
      outcome: 'success',
      meta: { jobId: job.id, counts: done.counts },
    });
    const ended = await hydrations.get(job.id);
    expect(ended).toMatchObject({
      status: 'succeeded',
      progress: 1,
      result: { counts: done.counts },
    });
    expect(ended?.finishedAt).toBeDefined();
    expect(ended?.log.at(-1)?.message).toBe('hydration finished');
  });

  it('fails a job in which an object failed, naming it, and keeps the report', async () => {
    const { audit, runner } = setUp();
    const job = await newHydration();
    const failed = report([
      written('Deployment', 'storefront', 'created'),
      written('ConfigMap', 'storefront-config', 'failed', 'quota exceeded'),
    ]);
    runner.start(hydrationJob(job.id, async () => ({ report: failed, meta: {} })));
    const event = await runEnded(audit, 'hydration-run');
    const reason = '1 of 2 objects failed: ConfigMap/storefront-config (quota exceeded)';
    expect(event).toMatchObject({
      outcome: 'failure',
      meta: { error: reason, counts: failed.counts },
    });
    expect(await hydrations.get(job.id)).toMatchObject({
      status: 'failed',
      error: reason,
      result: { counts: failed.counts },
    });
  });

  it('fails a job whose work throws, with the error as its reason', async () => {
    const { audit, runner } = setUp();
    const job = await newHydration();
    runner.start(
      hydrationJob(job.id, async () => {
        throw new Error('cluster dev is unreachable');
      }),
    );
    expect(await runEnded(audit, 'hydration-run')).toMatchObject({
      outcome: 'failure',
      meta: { error: 'cluster dev is unreachable' },
    });
    const ended = await hydrations.get(job.id);
    expect(ended).toMatchObject({ status: 'failed', error: 'cluster dev is unreachable' });
    expect(ended?.log.at(-1)).toMatchObject({
      level: 'error',
      message: 'cluster dev is unreachable',
    });
  });

  it('ends a restore that wrote nothing as nothing-restored, with why, never succeeded', async () => {
    const { audit, runner } = setUp();
    const request = await restores.create({
      entityRef: 'component:default/storefront',
      snapshotId: 'a'.repeat(64),
      cluster: 'production',
      scope: { namespaces: ['payments'] },
      reason: 'outage',
      requestedBy: 'user:default/dev',
    });
    await restores.decide(request.id, { status: 'approved', by: 'user:default/alice' });
    const why = 'nothing restored: the request names namespaces outside the entity';
    runner.start({
      id: request.id,
      records: restores,
      audit: { eventId: 'restore-run', meta: { requestId: request.id } },
      startMessage: 'restoring component:default/storefront',
      work: async () => ({ nothing: why }),
    });
    expect(await runEnded(audit, 'restore-run')).toMatchObject({
      outcome: 'success',
      meta: { status: 'nothing-restored', outcome: why },
    });
    expect(await restores.get(request.id)).toMatchObject({
      status: 'nothing-restored',
      outcomeMessage: why,
      progress: 1,
    });
  });
});
