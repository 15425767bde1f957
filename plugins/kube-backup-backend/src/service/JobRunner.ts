import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import type {
  HydrationJob,
  JobLogLine,
  RestoreRequest,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import type { HydrationStore } from '../database/HydrationStore';
import type { RestoreRequestStore } from '../database/RestoreRequestStore';
import type { ClusterService } from './ClusterService';
import type { HydrateReport, RestoreReport, VolumeDataSettings } from '@kube-backup/core';
import type { KubeBackupEngine } from './engine';
import { entitySelection, hydrationSourceNamespace, type EntityScope } from './EntityScope';
import { narrowSelection } from './RestoreScope';
import type { SnapshotService } from './SnapshotService';

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
      volumes: VolumeDataSettings;
    },
  ) {}

  /** Resolves once every job started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  startHydration(
    job: HydrationJob,
    scope: EntityScope,
    options: { includeSecrets: boolean; replicas?: number; withData?: boolean },
  ): void {
    this.track(this.runHydration(job, scope, options));
  }

  startRestore(request: RestoreRequest, scope: EntityScope): void {
    this.track(this.runRestore(request, scope));
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
    scope: EntityScope,
    options: { includeSecrets: boolean; replicas?: number; withData?: boolean },
  ): Promise<void> {
    const { hydrations, snapshots, clusters, engine } = this.deps;
    const recorder = new JobRecorder(update => hydrations.update(job.id, update));
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
      recorder.write(
        'info',
        `hydrating ${job.entityRef} from snapshot ${job.snapshotId.slice(0, 12)} into ${job.cluster}/${job.namespace}`,
      );
      const [repository, snapshot] = await Promise.all([
        snapshots.repository(),
        snapshots.entitySnapshot(scope, job.snapshotId),
      ]);
      const sourceNamespace = hydrationSourceNamespace(
        scope,
        await snapshots.entityNamespaces(scope, snapshot),
      );
      const connection = await clusters.connect(job.cluster);
      let report: HydrateReport;
      try {
        report = await engine.hydrate({
          connection,
          repository,
          snapshot,
          entityId: scope.id,
          labelSelector: scope.selectorText,
          sourceNamespace,
          targetNamespace: job.namespace,
          protectedNamespaces: this.deps.protectedNamespaces,
          includeSecrets: options.includeSecrets,
          replicas: options.replicas,
          withData: options.withData,
          volumes: this.deps.volumes,
          onProgress: recorder.progress,
          log: recorder.write,
        });
      } finally {
        connection.client.close();
      }
      const result = report as unknown as Record<string, unknown>;
      const failed = failureSummary(report);
      if (failed) {
        recorder.write('error', `hydration finished with failures: ${failed}`);
        await recorder.flush();
        await hydrations.update(job.id, {
          status: 'failed',
          finishedAt: new Date(),
          error: failed,
          result,
        });
        await audit.fail({ error: new Error(failed), meta: { counts: report.counts } });
        return;
      }
      recorder.progress(1);
      recorder.write('info', 'hydration finished');
      await recorder.flush();
      await hydrations.update(job.id, { status: 'succeeded', finishedAt: new Date(), result });
      await audit.success({ meta: { counts: report.counts, hydratedFrom: report.hydratedFrom } });
    } catch (error) {
      const message = (error as Error).message;
      recorder.write('error', message);
      await recorder.flush();
      await hydrations.update(job.id, { status: 'failed', finishedAt: new Date(), error: message });
      await audit.fail({ error: error as Error });
    }
  }

  private async runRestore(request: RestoreRequest, scope: EntityScope): Promise<void> {
    const { restores, snapshots, clusters, engine, logger } = this.deps;
    const recorder = new JobRecorder(update => restores.update(request.id, update));
    const log = (level: JobLogLine['level'], message: string) => {
      recorder.write(level, message);
      logger[level](`restore ${request.id}: ${message}`);
    };
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
      log(
        'info',
        `restoring ${request.entityRef} from snapshot ${request.snapshotId.slice(0, 12)} into ${request.cluster}`,
      );
      const [repository, snapshot] = await Promise.all([
        snapshots.repository(),
        snapshots.entitySnapshot(scope, request.snapshotId),
      ]);
      // The scope was checked when the request was made; it is intersected with what the
      // entity claims again now, in case the claim or the stored request changed since.
      const entityNamespaces = await snapshots.entityNamespaces(scope, snapshot);
      const selection = entitySelection(scope, entityNamespaces);
      const narrowed = selection
        ? narrowSelection(request.entityRef, selection, entityNamespaces, request.scope)
        : { nothing: `nothing restored: ${request.entityRef} has no objects in this snapshot` };
      if (narrowed.nothing !== undefined) {
        await this.finishWithNothing(request, narrowed.nothing, log, recorder, audit);
        return;
      }
      if (narrowed.leftOut.length > 0) {
        log(
          'warn',
          `left out namespaces ${narrowed.leftOut.join(', ')}: outside ${request.entityRef}'s namespaces in this snapshot`,
        );
      }
      const connection = await clusters.connect(request.cluster);
      let report: RestoreReport;
      try {
        report = await engine.restore({
          connection,
          repository,
          snapshot,
          selection: narrowed.selection,
          existing: request.scope.existing,
          withData: request.scope.withData,
          volumes: this.deps.volumes,
          onProgress: recorder.progress,
          log,
        });
      } finally {
        connection.client.close();
      }
      if (report.objects.length === 0) {
        const why = report.warnings.length > 0 ? ` (${report.warnings.join('; ')})` : '';
        await this.finishWithNothing(
          request,
          `nothing restored: no object of ${request.entityRef} in this snapshot matches the request's scope${why}`,
          log,
          recorder,
          audit,
          report,
        );
        return;
      }
      const outcome = report as unknown as Record<string, unknown>;
      const failed = failureSummary(report);
      if (failed) {
        log('error', `restore finished with failures: ${failed}`);
        await recorder.flush();
        await restores.finish(request.id, { status: 'failed', error: failed, outcome });
        await audit.fail({ error: new Error(failed), meta: { counts: report.counts } });
        return;
      }
      recorder.progress(1);
      log('info', 'restore finished');
      await recorder.flush();
      await restores.finish(request.id, { status: 'succeeded', outcome });
      await audit.success({ meta: { status: 'succeeded', counts: report.counts } });
    } catch (error) {
      log('error', (error as Error).message);
      await recorder.flush();
      await restores.finish(request.id, { status: 'failed', error: (error as Error).message });
      await audit.fail({ error: error as Error });
    }
  }

  /** An approved restore that wrote nothing: said so, with why, rather than `succeeded`. */
  private async finishWithNothing(
    request: RestoreRequest,
    why: string,
    log: (level: JobLogLine['level'], message: string) => void,
    recorder: JobRecorder,
    audit: AuditEvent,
    report?: RestoreReport,
  ): Promise<void> {
    log('warn', why);
    recorder.progress(1);
    await recorder.flush();
    await this.deps.restores.finish(request.id, {
      status: 'nothing-restored',
      outcomeMessage: why,
      outcome: report as unknown as Record<string, unknown> | undefined,
    });
    await audit.success({ meta: { status: 'nothing-restored', outcome: why } });
  }
}

type AuditEvent = Awaited<ReturnType<AuditorService['createEvent']>>;

/** What failed in a report, in a sentence; undefined when nothing did. */
function failureSummary(report: RestoreReport): string | undefined {
  const failed = report.objects.filter(object => object.outcome === 'failed');
  const volumes = (report.volumes ?? []).filter(volume => volume.outcome === 'failed');
  if (failed.length === 0 && volumes.length > 0) {
    return `the data of ${volumes.length} claim(s) was not restored: ${volumes.map(v => `${v.namespace}/${v.claim} (${v.message ?? 'failed'})`).join('; ')}`;
  }
  if (failed.length === 0) return undefined;
  const names = failed
    .slice(0, 5)
    .map(object => `${object.kind}/${object.name}${object.message ? ` (${object.message})` : ''}`);
  const more = failed.length > 5 ? `, and ${failed.length - 5} more` : '';
  return `${failed.length} of ${report.objects.length} objects failed: ${names.join('; ')}${more}`;
}

/**
 * A running job's progress and log, written to the database at most every FLUSH_MS (and
 * once more when it ends), so a job writing thousands of objects costs a few updates.
 */
class JobRecorder {
  private readonly log: JobLogLine[] = [];
  private fraction: number | undefined = 0;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly save: (update: {
      log: JobLogLine[];
      progress: number | null;
    }) => Promise<void>,
  ) {}

  readonly write = (level: JobLogLine['level'], message: string): void => {
    this.log.push({ time: new Date().toISOString(), level, message });
    if (this.log.length > MAX_LOG_LINES * 2) this.log.splice(0, this.log.length - MAX_LOG_LINES);
    this.changed();
  };

  readonly progress = (fraction: number | undefined, message?: string): void => {
    this.fraction = fraction;
    if (message) this.write('info', message);
    else this.changed();
  };

  /** Writes what is pending; resolves once every write so far is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const update = { log: this.log.slice(-MAX_LOG_LINES), progress: this.fraction ?? null };
    this.saving = this.saving.catch(() => undefined).then(() => this.save(update));
    return this.saving;
  }

  private changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined);
    }, FLUSH_MS);
  }
}
