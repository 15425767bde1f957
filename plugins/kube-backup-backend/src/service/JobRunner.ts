import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import type {
  HydrationJob,
  JobLogLine,
  RestoreRequest,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { HydrationStore } from '../database/HydrationStore';
import type { RestoreRequestStore } from '../database/RestoreRequestStore';
import type { ClusterService } from './ClusterService';
import type { KubeBackupEngine } from './engine';
import type { EntityMatcher, SnapshotService } from './SnapshotService';

const FLUSH_MS = 250;
const MAX_LOG_LINES = 1000;

/**
 * Runs hydrations and approved restores in the background, writing status, progress and log
 * to the database as they go, and their outcome to the auditor.
 */
export class JobRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      engine: KubeBackupEngine;
      snapshots: SnapshotService;
      clusters: ClusterService;
      hydrations: HydrationStore;
      restores: RestoreRequestStore;
      auditor: AuditorService;
      logger: LoggerService;
      protectedNamespaces: string[];
    },
  ) {}

  /** Resolves once every job started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  startHydration(job: HydrationJob, matcher: EntityMatcher, includeSecrets: boolean): void {
    this.track(this.runHydration(job, matcher, includeSecrets));
  }

  startRestore(request: RestoreRequest, matcher: EntityMatcher): void {
    this.track(this.runRestore(request, matcher));
  }

  private track(run: Promise<void>): void {
    const tracked = run.catch(error =>
      this.deps.logger.error(`kube-backup job bookkeeping failed: ${error}`),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  private async runHydration(
    job: HydrationJob,
    matcher: EntityMatcher,
    includeSecrets: boolean,
  ): Promise<void> {
    const { hydrations, snapshots, clusters, engine } = this.deps;
    const log: JobLogLine[] = [];
    let progress: number | undefined = 0;
    let dirty = false;
    let flushing: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (!dirty) return flushing;
      dirty = false;
      const lines = log.slice(-MAX_LOG_LINES);
      const fraction = progress ?? null;
      flushing = flushing.then(() => hydrations.update(job.id, { log: lines, progress: fraction }));
      return flushing;
    };
    const changed = () => {
      dirty = true;
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    const write = (level: JobLogLine['level'], message: string) => {
      log.push({ time: new Date().toISOString(), level, message });
      changed();
    };
    const audit = await this.deps.auditor.createEvent({
      eventId: 'hydration-run',
      severityLevel: 'medium',
      meta: {
        actor: job.createdBy,
        jobId: job.id,
        entityRef: job.entityRef,
        snapshotId: job.snapshotId,
        target: job.target,
        cluster: job.cluster,
        namespace: job.namespace,
      },
    });
    try {
      await hydrations.update(job.id, { status: 'running', startedAt: new Date() });
      write(
        'info',
        `hydrating ${job.entityRef} from snapshot ${job.snapshotId.slice(0, 12)} into ${job.cluster}/${job.namespace}`,
      );
      const [repository, snapshot, connection] = await Promise.all([
        snapshots.repository(),
        snapshots.entitySnapshot(matcher, job.snapshotId),
        clusters.connect(job.cluster),
      ]);
      try {
        const result = await engine.hydrate({
          connection,
          repository,
          snapshot,
          entityId: matcher.id,
          labelSelector: matcher.selectorText,
          sourceNamespaces: matcher.namespace ? [matcher.namespace] : undefined,
          targetNamespace: job.namespace,
          protectedNamespaces: this.deps.protectedNamespaces,
          includeSecrets,
          onProgress: (fraction, message) => {
            progress = fraction;
            if (message) write('info', message);
            else changed();
          },
          log: write,
        });
        progress = 1;
        write('info', 'hydration finished');
        clearTimeout(timer);
        await flush();
        await hydrations.update(job.id, { status: 'succeeded', finishedAt: new Date(), result });
        await audit.success({ meta: { result: result as never } });
      } finally {
        connection.client.close();
      }
    } catch (error) {
      const message = (error as Error).message;
      write('error', message);
      clearTimeout(timer);
      await flush();
      await hydrations.update(job.id, { status: 'failed', finishedAt: new Date(), error: message });
      await audit.fail({ error: error as Error });
    }
  }

  private async runRestore(request: RestoreRequest, matcher: EntityMatcher): Promise<void> {
    const { restores, snapshots, clusters, engine } = this.deps;
    const audit = await this.deps.auditor.createEvent({
      eventId: 'restore-run',
      severityLevel: 'high',
      meta: {
        requestId: request.id,
        entityRef: request.entityRef,
        snapshotId: request.snapshotId,
        cluster: request.cluster,
        requestedBy: request.requestedBy,
        approvedBy: request.decidedBy ?? null,
      },
    });
    try {
      await restores.markRunning(request.id);
      const [repository, snapshot, connection] = await Promise.all([
        snapshots.repository(),
        snapshots.entitySnapshot(matcher, request.snapshotId),
        clusters.connect(request.cluster),
      ]);
      try {
        const outcome = await engine.restore({
          connection,
          repository,
          snapshot,
          entityId: matcher.id,
          labelSelector: matcher.selectorText,
          sourceNamespaces:
            request.scope.namespaces ?? (matcher.namespace ? [matcher.namespace] : undefined),
          objects: request.scope.objects,
          includeSecrets: request.scope.includeSecrets ?? true,
          onProgress: () => undefined,
          log: (level, message) => this.deps.logger[level](`restore ${request.id}: ${message}`),
        });
        await restores.finish(request.id, { status: 'succeeded', outcome });
        await audit.success({ meta: { outcome: outcome as never } });
      } finally {
        connection.client.close();
      }
    } catch (error) {
      await restores.finish(request.id, { status: 'failed', error: (error as Error).message });
      await audit.fail({ error: error as Error });
    }
  }
}
