import type { HydrationJob, JobStatus } from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Knex } from 'knex';
import { JobStore } from './JobStore';
import { isoTime, parseJson } from './time';

export interface NewHydration {
  entityRef: string;
  snapshotId: string;
  target: string;
  cluster: string;
  namespace: string;
  createdBy: string;
}

/** Hydrations of an entity into a dev/test namespace, with status, progress, log and result. */
export class HydrationStore extends JobStore<HydrationJob> {
  constructor(db: Knex) {
    super(db, {
      noun: 'hydration',
      table: 'kube_backup_hydrations',
      createdColumn: 'created_at',
      resultColumn: 'result',
      unfinishedStatuses: ['pending', 'running'],
      interruptedError: 'the backend restarted while this hydration ran; its outcome is unknown',
      toJob: (row, fields) => ({
        ...fields,
        target: String(row.target),
        namespace: String(row.namespace),
        status: row.status as JobStatus,
        createdBy: String(row.created_by),
        createdAt: isoTime(row.created_at) as string,
        result: parseJson<Record<string, unknown>>(row.result),
      }),
    });
  }

  create(job: NewHydration): Promise<HydrationJob> {
    return this.insert({
      entity_ref: job.entityRef,
      snapshot_id: job.snapshotId,
      target: job.target,
      cluster: job.cluster,
      namespace: job.namespace,
      progress: 0,
      created_by: job.createdBy,
      log: '[]',
    });
  }
}
