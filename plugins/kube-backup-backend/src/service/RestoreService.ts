import { ConflictError, InputError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import type {
  FilesRestoreScope,
  RestoreDecisionBody,
  RestoreRequest,
  RestoreRequestBody,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { Repository, Snapshot } from '@kube-backup/core';
import type { RestoreRequestStore } from '../database/RestoreRequestStore';
import type { EntityContext } from './AccessPolicy';
import { entitySelection, type EntityScope } from './EntityScope';
import { pathCounts, type JobOutcome, type JobProgress, type JobServiceDeps } from './JobRunner';
import { checkFilesRestore, checkRestoreScope, narrowSelection } from './RestoreScope';

/** The repository and the request's snapshot, read once when the restore starts. */
interface RestoreSource {
  repository: Repository;
  snapshot: Snapshot;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * Restore requests into production: asked for by someone who may, decided by an owner who is
 * not the requester (unless the config allows it), and once approved run as a job over the
 * request's scope intersected with the entity's objects again, or for a request of files,
 * the chosen paths written into the entity's live claim.
 */
export class RestoreService {
  constructor(
    private readonly deps: JobServiceDeps & {
      store: RestoreRequestStore;
      /** Where approved restores go; undefined when no cluster is configured. */
      productionCluster?: string;
    },
  ) {}

  /** Records a request after checking its scope only narrows the entity's own objects. */
  async request(context: EntityContext, body: RestoreRequestBody): Promise<RestoreRequest> {
    const { policy, entities, snapshots } = this.deps;
    await policy.checkRestoreRequest(context);
    const cluster = this.deps.productionCluster;
    if (!cluster) {
      throw new InputError('kubeBackup.clusters is empty: there is nowhere to restore to');
    }
    const scope = entities.requireScope(context);
    const snapshot = await snapshots.entitySnapshot(scope, body.snapshotId);
    const request = {
      entityRef: context.entityRef,
      snapshotId: snapshot.id,
      cluster,
      reason: body.reason,
      requestedBy: context.credentials.principal.userEntityRef,
    };
    if (body.files) {
      const files = checkFilesRestore(
        context.entityRef,
        snapshot,
        await snapshots.entityVolumes(scope, snapshot),
        body.files,
      );
      return this.deps.store.create({ ...request, scope: {}, files });
    }
    const restoreScope = body.scope ?? {};
    checkRestoreScope(
      context.entityRef,
      snapshot,
      await snapshots.entityRecords(scope, snapshot),
      restoreScope,
    );
    return this.deps.store.create({ ...request, scope: restoreScope });
  }

  /** Approves (and starts) or rejects a pending request; ConflictError once decided. */
  async decide(
    context: EntityContext,
    request: RestoreRequest,
    body: RestoreDecisionBody,
  ): Promise<RestoreRequest> {
    const { policy, entities, store } = this.deps;
    await policy.checkDecision(context, request, body);
    // Only an approval runs anything; a request may be rejected whatever its entity claims.
    const scope = body.decision === 'approve' ? entities.requireScope(context) : undefined;
    const by = context.credentials.principal.userEntityRef;
    const status = scope ? 'approved' : 'rejected';
    if (!(await store.decide(request.id, { status, by, comment: body.comment }))) {
      const current = await store.get(request.id);
      throw new ConflictError(`restore request ${request.id} is already ${current?.status}`);
    }
    const decided = (await store.get(request.id))!;
    if (scope) this.startRestore(decided, scope);
    return decided;
  }

  list(entityRef: string): Promise<RestoreRequest[]> {
    return this.deps.store.listForEntity(entityRef);
  }

  get(id: string): Promise<RestoreRequest | undefined> {
    return this.deps.store.get(id);
  }

  private startRestore(request: RestoreRequest, scope: EntityScope): void {
    this.deps.runner.start({
      id: request.id,
      records: this.deps.store,
      audit: {
        eventId: 'restore-run',
        severityLevel: 'high',
        meta: {
          requestId: request.id,
          entityRef: request.entityRef,
          snapshotId: request.snapshotId,
          cluster: request.cluster,
          requestedBy: request.requestedBy,
          approvedBy: request.decidedBy ?? null,
          type: request.type,
          ...(request.files ? { files: request.files as unknown as JsonObject } : {}),
        },
      },
      startMessage: request.files
        ? `restoring ${plural(request.files.paths.length, 'path')} of ${request.files.namespace}/${request.files.claim} from snapshot ${request.snapshotId.slice(0, 12)} into claim ${request.files.targetClaim ?? request.files.claim} in ${request.cluster}`
        : `restoring ${request.entityRef} from snapshot ${request.snapshotId.slice(0, 12)} into ${request.cluster}`,
      work: async progress => {
        const { snapshots } = this.deps;
        const [repository, snapshot] = await Promise.all([
          snapshots.repository(),
          snapshots.entitySnapshot(scope, request.snapshotId),
        ]);
        const source = { repository, snapshot };
        return request.files
          ? this.runFiles(request, request.files, scope, source, progress)
          : this.run(request, scope, source, progress);
      },
    });
  }

  private async runFiles(
    request: RestoreRequest,
    requested: FilesRestoreScope,
    scope: EntityScope,
    { repository, snapshot }: RestoreSource,
    progress: JobProgress,
  ): Promise<JobOutcome> {
    const { snapshots, clusters, engine } = this.deps;
    // Checked when requested; checked again in case the entity's claim changed since.
    const files = checkFilesRestore(
      request.entityRef,
      snapshot,
      await snapshots.entityVolumes(scope, snapshot),
      requested,
    );
    const report = await clusters.withConnection(request.cluster, connection =>
      engine.restoreFiles({
        connection,
        repository,
        snapshot,
        files,
        volumes: this.deps.volumes,
        onProgress: progress.progress,
        log: progress.log,
      }),
    );
    return { report, meta: { status: 'succeeded', counts: pathCounts(report) } };
  }

  private async run(
    request: RestoreRequest,
    scope: EntityScope,
    { repository, snapshot }: RestoreSource,
    progress: JobProgress,
  ): Promise<JobOutcome> {
    const { snapshots, clusters, engine } = this.deps;
    // The scope was checked when the request was made; it is intersected with what the
    // entity claims again now, in case the claim or the stored request changed since.
    const entityNamespaces = await snapshots.entityNamespaces(scope, snapshot);
    const selection = entitySelection(scope, entityNamespaces);
    const narrowed = selection
      ? narrowSelection(request.entityRef, selection, entityNamespaces, request.scope)
      : { nothing: `nothing restored: ${request.entityRef} has no objects in this snapshot` };
    if (narrowed.nothing !== undefined) return { nothing: narrowed.nothing };
    if (narrowed.leftOut.length > 0) {
      progress.log(
        'warn',
        `left out namespaces ${narrowed.leftOut.join(', ')}: outside ${request.entityRef}'s namespaces in this snapshot`,
      );
    }
    const report = await clusters.withConnection(request.cluster, connection =>
      engine.restore({
        connection,
        repository,
        snapshot,
        selection: narrowed.selection,
        existing: request.scope.existing,
        withData: request.scope.withData,
        volumes: this.deps.volumes,
        onProgress: progress.progress,
        log: progress.log,
      }),
    );
    if (report.objects.length === 0) {
      const why = report.warnings.length > 0 ? ` (${report.warnings.join('; ')})` : '';
      return {
        nothing: `nothing restored: no object of ${request.entityRef} in this snapshot matches the request's scope${why}`,
        report,
      };
    }
    return { report, meta: { status: 'succeeded', counts: report.counts } };
  }
}
