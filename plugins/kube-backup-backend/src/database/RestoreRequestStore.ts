import type {
  JobLogLine,
  RestoreRequest,
  RestoreRequestStatus,
  RestoreScope,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { isoTime, parseJson, dbTime } from './time';

const TABLE = 'kube_backup_restore_requests';

export interface NewRestoreRequest {
  entityRef: string;
  snapshotId: string;
  cluster: string;
  scope: RestoreScope;
  reason: string;
  requestedBy: string;
}

export class RestoreRequestStore {
  constructor(private readonly db: Knex) {}

  async create(request: NewRestoreRequest): Promise<RestoreRequest> {
    const id = randomUUID();
    await this.db(TABLE).insert({
      id,
      entity_ref: request.entityRef,
      snapshot_id: request.snapshotId,
      cluster: request.cluster,
      scope: JSON.stringify(request.scope),
      reason: request.reason,
      status: 'pending',
      requested_by: request.requestedBy,
      requested_at: dbTime(),
    });
    return (await this.get(id)) as RestoreRequest;
  }

  async get(id: string): Promise<RestoreRequest | undefined> {
    const row = await this.db(TABLE).where({ id }).first();
    return row ? toRequest(row) : undefined;
  }

  async listForEntity(entityRef: string, limit = 100): Promise<RestoreRequest[]> {
    const rows = await this.db(TABLE)
      .where({ entity_ref: entityRef })
      .orderBy('requested_at', 'desc')
      .limit(limit);
    return rows.map(toRequest);
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

  async markRunning(id: string): Promise<void> {
    await this.db(TABLE).where({ id }).update({ status: 'running', started_at: dbTime() });
  }

  /** Progress and log of a running restore. */
  async update(
    id: string,
    update: { progress?: number | null; log?: JobLogLine[] },
  ): Promise<void> {
    const row: Record<string, unknown> = {};
    if (update.progress !== undefined) row.progress = update.progress;
    if (update.log) row.log = JSON.stringify(update.log);
    if (Object.keys(row).length > 0) await this.db(TABLE).where({ id }).update(row);
  }

  async finish(
    id: string,
    result:
      | { status: 'succeeded'; outcome: Record<string, unknown> }
      | { status: 'nothing-restored'; outcomeMessage: string; outcome?: Record<string, unknown> }
      | { status: 'failed'; error: string; outcome?: Record<string, unknown> },
  ): Promise<void> {
    await this.db(TABLE)
      .where({ id })
      .update({
        status: result.status,
        finished_at: dbTime(),
        outcome: result.outcome ? JSON.stringify(result.outcome) : null,
        outcome_message: result.status === 'nothing-restored' ? result.outcomeMessage : null,
        error: result.status === 'failed' ? result.error : null,
      });
  }

  /** Restores left running by a backend that stopped. */
  async failInterrupted(): Promise<number> {
    return this.db(TABLE).whereIn('status', ['approved', 'running']).update({
      status: 'failed',
      finished_at: dbTime(),
      error:
        'the backend restarted while this restore ran; check the cluster, its outcome is unknown',
    });
  }
}

function toRequest(row: Record<string, unknown>): RestoreRequest {
  return {
    id: String(row.id),
    entityRef: String(row.entity_ref),
    snapshotId: String(row.snapshot_id),
    cluster: String(row.cluster),
    scope: parseJson<RestoreScope>(row.scope) ?? {},
    reason: String(row.reason),
    status: row.status as RestoreRequestStatus,
    requestedBy: String(row.requested_by),
    requestedAt: isoTime(row.requested_at) as string,
    decidedBy: (row.decided_by as string | null) ?? undefined,
    decidedAt: isoTime(row.decided_at),
    decisionComment: (row.decision_comment as string | null) ?? undefined,
    startedAt: isoTime(row.started_at),
    finishedAt: isoTime(row.finished_at),
    outcome: parseJson<Record<string, unknown>>(row.outcome),
    outcomeMessage: (row.outcome_message as string | null) ?? undefined,
    error: (row.error as string | null) ?? undefined,
    progress:
      row.progress === null || row.progress === undefined ? undefined : Number(row.progress),
    log: parseJson<JobLogLine[]>(row.log) ?? [],
  };
}
