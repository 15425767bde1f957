import type {
  FilesRestoreScope,
  RestoreRequest,
  RestoreRequestStatus,
  RestoreScope,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Knex } from 'knex';
import { JobStore } from './JobStore';
import { dbTime, isoTime, parseJson } from './time';

const TABLE = 'kube_backup_restore_requests';

export interface NewRestoreRequest {
  entityRef: string;
  snapshotId: string;
  cluster: string;
  scope: RestoreScope;
  /** For a request of single files. */
  files?: FilesRestoreScope;
  reason: string;
  requestedBy: string;
}

/** Restore requests, their decision, and once approved the restore's progress and outcome. */
export class RestoreRequestStore extends JobStore<RestoreRequest> {
  constructor(db: Knex) {
    super(db, {
      noun: 'restore',
      table: TABLE,
      createdColumn: 'requested_at',
      resultColumn: 'outcome',
      outcomeMessageColumn: 'outcome_message',
      unfinishedStatuses: ['approved', 'running'],
      interruptedError:
        'the backend restarted while this restore ran; check the cluster, its outcome is unknown',
      toJob: (row, fields) => {
        const files = parseJson<FilesRestoreScope>(row.files);
        return {
          ...fields,
          type: files ? 'files' : 'objects',
          scope: parseJson<RestoreScope>(row.scope) ?? {},
          ...(files ? { files } : {}),
          reason: String(row.reason),
          status: row.status as RestoreRequestStatus,
          requestedBy: String(row.requested_by),
          requestedAt: isoTime(row.requested_at) as string,
          decidedBy: (row.decided_by as string | null) ?? undefined,
          decidedAt: isoTime(row.decided_at),
          decisionComment: (row.decision_comment as string | null) ?? undefined,
          outcome: parseJson<Record<string, unknown>>(row.outcome),
          outcomeMessage: (row.outcome_message as string | null) ?? undefined,
        };
      },
    });
  }

  create(request: NewRestoreRequest): Promise<RestoreRequest> {
    return this.insert({
      entity_ref: request.entityRef,
      snapshot_id: request.snapshotId,
      cluster: request.cluster,
      scope: JSON.stringify(request.scope),
      files: request.files ? JSON.stringify(request.files) : null,
      reason: request.reason,
      requested_by: request.requestedBy,
    });
  }

  /**
   * Records a decision on a pending request. Only one decision wins: a request that is no
   * longer pending is left alone and false is returned.
   */
  async decide(
    id: string,
    decision: { status: 'approved' | 'rejected'; by: string; comment?: string },
  ): Promise<boolean> {
    const changed = await this.db(TABLE)
      .where({ id, status: 'pending' })
      .update({
        status: decision.status,
        decided_by: decision.by,
        decided_at: dbTime(),
        decision_comment: decision.comment ?? null,
      });
    return changed === 1;
  }
}
