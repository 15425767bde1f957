import type { JobLogLine } from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { dbTime, isoTime, parseJson } from './time';

/** How a job ends, as the job runner records it. */
export type JobEnd =
  | { status: 'succeeded'; result: Record<string, unknown> }
  | { status: 'nothing-restored'; outcomeMessage: string; result?: Record<string, unknown> }
  | { status: 'failed'; error: string; result?: Record<string, unknown> };

/** What the job runner writes while a job runs: the fraction done (null: unknown) and its log. */
export interface JobProgressUpdate {
  progress: number | null;
  log: JobLogLine[];
}

/** The job runner's view of a store: one API for hydrations and restores. */
export interface JobRecords {
  /** What the log calls this kind of job (`hydration`, `restore`). */
  readonly noun: string;
  markRunning(id: string): Promise<void>;
  recordProgress(id: string, update: JobProgressUpdate): Promise<void>;
  finish(id: string, end: JobEnd): Promise<void>;
}

/** The fields every job row has, read back. */
export interface JobRowFields {
  id: string;
  entityRef: string;
  snapshotId: string;
  cluster: string;
  progress?: number;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  log: JobLogLine[];
}

/** How one kind of job is kept: its table, and the columns that differ between kinds. */
export interface JobTable<T> {
  noun: string;
  table: string;
  /** When the job was asked for; listings are newest first by it. */
  createdColumn: string;
  /** The engine's report of a finished job. */
  resultColumn: string;
  /** Where a job that wrote nothing says why; absent when such a job cannot end so. */
  outcomeMessageColumn?: string;
  /** Statuses of work a restarted backend can no longer finish. */
  unfinishedStatuses: string[];
  interruptedError: string;
  toJob(row: Record<string, unknown>, fields: JobRowFields): T;
}

/**
 * One store API for hydrations and restore requests: reading them, and the status, progress,
 * log and end that the job runner writes. Each kind adds how it is created.
 */
export class JobStore<T> implements JobRecords {
  readonly noun: string;

  constructor(
    protected readonly db: Knex,
    private readonly spec: JobTable<T>,
  ) {
    this.noun = spec.noun;
  }

  async get(id: string): Promise<T | undefined> {
    const row = await this.db(this.spec.table).where({ id }).first();
    return row ? this.toJob(row) : undefined;
  }

  async listForEntity(entityRef: string, limit = 100): Promise<T[]> {
    const rows = await this.db(this.spec.table)
      .where({ entity_ref: entityRef })
      .orderBy(this.spec.createdColumn, 'desc')
      .limit(limit);
    return rows.map(row => this.toJob(row));
  }

  async markRunning(id: string): Promise<void> {
    await this.db(this.spec.table)
      .where({ id })
      .update({ status: 'running', started_at: dbTime() });
  }

  async recordProgress(id: string, update: JobProgressUpdate): Promise<void> {
    await this.db(this.spec.table)
      .where({ id })
      .update({ progress: update.progress, log: JSON.stringify(update.log) });
  }

  async finish(id: string, end: JobEnd): Promise<void> {
    const { outcomeMessageColumn } = this.spec;
    if (end.status === 'nothing-restored' && !outcomeMessageColumn) {
      throw new Error(`a ${this.spec.noun} cannot end ${end.status}`);
    }
    await this.db(this.spec.table)
      .where({ id })
      .update({
        status: end.status,
        finished_at: dbTime(),
        [this.spec.resultColumn]: end.result ? JSON.stringify(end.result) : null,
        error: end.status === 'failed' ? end.error : null,
        ...(outcomeMessageColumn
          ? {
              [outcomeMessageColumn]: end.status === 'nothing-restored' ? end.outcomeMessage : null,
            }
          : {}),
      });
  }

  /** Work left unfinished by a backend that stopped: marked failed, as its outcome is unknown. */
  async failInterrupted(): Promise<number> {
    return this.db(this.spec.table).whereIn('status', this.spec.unfinishedStatuses).update({
      status: 'failed',
      finished_at: dbTime(),
      error: this.spec.interruptedError,
    });
  }

  /** Inserts a new job row (with the fields every job has set here) and reads it back. */
  protected async insert(
    row: { entity_ref: string; snapshot_id: string; cluster: string } & Record<string, unknown>,
  ): Promise<T> {
    const id = randomUUID();
    await this.db(this.spec.table).insert({
      id,
      status: 'pending',
      [this.spec.createdColumn]: dbTime(),
      ...row,
    });
    return (await this.get(id)) as T;
  }

  private toJob(row: Record<string, unknown>): T {
    return this.spec.toJob(row, {
      id: String(row.id),
      entityRef: String(row.entity_ref),
      snapshotId: String(row.snapshot_id),
      cluster: String(row.cluster),
      progress:
        row.progress === null || row.progress === undefined ? undefined : Number(row.progress),
      startedAt: isoTime(row.started_at),
      finishedAt: isoTime(row.finished_at),
      error: (row.error as string | null) ?? undefined,
      log: parseJson<JobLogLine[]>(row.log) ?? [],
    });
  }
}
