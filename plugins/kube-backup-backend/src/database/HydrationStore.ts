import type {
  HydrationJob,
  JobLogLine,
  JobStatus,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { isoTime, parseJson, dbTime } from './time';

const TABLE = 'kube_backup_hydrations';

export interface NewHydration {
  entityRef: string;
  snapshotId: string;
  target: string;
  cluster: string;
  namespace: string;
  createdBy: string;
}

export interface HydrationUpdate {
  status?: JobStatus;
  progress?: number | null;
  startedAt?: Date;
  finishedAt?: Date;
  error?: string;
  log?: JobLogLine[];
  result?: Record<string, unknown>;
}

export class HydrationStore {
  constructor(private readonly db: Knex) {}

  async create(job: NewHydration): Promise<HydrationJob> {
    const id = randomUUID();
    await this.db(TABLE).insert({
      id,
      entity_ref: job.entityRef,
      snapshot_id: job.snapshotId,
      target: job.target,
      cluster: job.cluster,
      namespace: job.namespace,
      status: 'pending',
      progress: 0,
      created_by: job.createdBy,
      created_at: dbTime(),
      log: '[]',
    });
    return (await this.get(id)) as HydrationJob;
  }

  async update(id: string, update: HydrationUpdate): Promise<void> {
    const row: Record<string, unknown> = {};
    if (update.status !== undefined) row.status = update.status;
    if (update.progress !== undefined) row.progress = update.progress;
    if (update.startedAt) row.started_at = dbTime(update.startedAt);
    if (update.finishedAt) row.finished_at = dbTime(update.finishedAt);
    if (update.error !== undefined) row.error = update.error;
    if (update.log) row.log = JSON.stringify(update.log);
    if (update.result) row.result = JSON.stringify(update.result);
    if (Object.keys(row).length > 0) await this.db(TABLE).where({ id }).update(row);
  }

  async get(id: string): Promise<HydrationJob | undefined> {
    const row = await this.db(TABLE).where({ id }).first();
    return row ? toJob(row) : undefined;
  }

  async listForEntity(entityRef: string, limit = 100): Promise<HydrationJob[]> {
    const rows = await this.db(TABLE)
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .limit(limit);
    return rows.map(toJob);
  }

  /** Jobs left running by a backend that stopped: they can no longer finish. */
  async failInterrupted(): Promise<number> {
    return this.db(TABLE).whereIn('status', ['pending', 'running']).update({
      status: 'failed',
      finished_at: dbTime(),
      error: 'the backend restarted while this hydration ran; its outcome is unknown',
    });
  }
}

function toJob(row: Record<string, unknown>): HydrationJob {
  return {
    id: String(row.id),
    entityRef: String(row.entity_ref),
    snapshotId: String(row.snapshot_id),
    target: String(row.target),
    cluster: String(row.cluster),
    namespace: String(row.namespace),
    status: row.status as JobStatus,
    progress:
      row.progress === null || row.progress === undefined ? undefined : Number(row.progress),
    createdBy: String(row.created_by),
    createdAt: isoTime(row.created_at) as string,
    startedAt: isoTime(row.started_at),
    finishedAt: isoTime(row.finished_at),
    error: (row.error as string | null) ?? undefined,
    log: parseJson<JobLogLine[]>(row.log) ?? [],
    result: parseJson<Record<string, unknown>>(row.result),
  };
}
