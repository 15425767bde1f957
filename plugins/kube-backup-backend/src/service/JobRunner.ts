import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { JobLogLine } from '@kube-backup/backstage-plugin-kube-backup-common';
import type { FilesRestoreReport, RestoreReport, VolumeDataSettings } from '@kube-backup/core';
import type { JobEnd, JobRecords } from '../database/JobStore';
import type { AccessPolicy } from './AccessPolicy';
import { audited } from './audit';
import type { ClusterService } from './ClusterService';
import type { KubeBackupEngine } from './engine';
import type { EntityResolver } from './EntityResolver';
import type { SnapshotService } from './SnapshotService';

const FLUSH_MS = 250;
const MAX_LOG_LINES = 1000;

/** What a running job tells its record: how far it is, and what it is doing. */
export interface JobProgress {
  /** A fraction 0..1 (undefined while unknown) and, at each new step, what it is doing. */
  progress(fraction: number | undefined, message?: string): void;
  log(level: JobLogLine['level'], message: string): void;
}

/**
 * How a job's work ended: core's report (and the audit meta of a success), or why nothing
 * was written (the job then ends `nothing-restored`, never `succeeded`).
 */
export type JobOutcome =
  | { report: RestoreReport | FilesRestoreReport; meta: JsonObject; nothing?: undefined }
  | { nothing: string; report?: RestoreReport };

export interface Job {
  id: string;
  /** Where its status, progress, log and end are kept. */
  records: JobRecords;
  /** The audit event of the run (who asked, what it is about); its outcome is the job's. */
  audit: Omit<AuditorServiceCreateEventOptions, 'request'>;
  /** The log's first line: what runs, from where to where. */
  startMessage: string;
  work(progress: JobProgress): Promise<JobOutcome>;
}

/** What the services that start jobs (hydrations, restores) work with. */
export interface JobServiceDeps {
  policy: AccessPolicy;
  entities: EntityResolver;
  snapshots: SnapshotService;
  clusters: ClusterService;
  runner: JobRunner;
  engine: KubeBackupEngine;
  /** How volume data reaches the clusters. */
  volumes: VolumeDataSettings;
}

/**
 * When the recorder writes what changed: `flush` is called once the returned delay has
 * passed; the returned function cancels it. Tests hold the writes to see a job at a known step.
 */
export type FlushScheduler = (flush: () => Promise<void>) => () => void;

const afterFlushInterval: FlushScheduler = flush => {
  const timer = setTimeout(() => void flush(), FLUSH_MS);
  return () => clearTimeout(timer);
};

/** How a job ended, for the audit log. */
interface Ended {
  end: JobEnd;
  meta?: JsonObject;
  failure?: { error: Error; meta?: JsonObject };
}

/**
 * Runs hydrations and approved restores in the background, one way for both: status,
 * progress and log written to their store as they go, the end decided from core's report
 * (any failed object fails the job), and the run audited.
 */
export class JobRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      auditor: AuditorService;
      logger: LoggerService;
      scheduleFlush?: FlushScheduler;
    },
  ) {}

  /** Starts a job; its end is in its store and the audit log. */
  start(job: Job): void {
    const tracked = this.run(job).catch(error =>
      this.deps.logger.error(
        `kube-backup ${job.records.noun} ${job.id} bookkeeping failed: ${error}`,
      ),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  /** Resolves once every job started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async run(job: Job): Promise<void> {
    const { records, id } = job;
    const recorder = new JobRecorder(
      update => records.recordProgress(id, update),
      this.deps.scheduleFlush ?? afterFlushInterval,
      (level, message) => this.deps.logger[level](`${records.noun} ${id}: ${message}`),
    );
    await audited(
      this.deps.auditor,
      job.audit,
      async (): Promise<Ended> => {
        try {
          await records.markRunning(id);
          recorder.log('info', job.startMessage);
          return await this.finish(job, recorder, await job.work(recorder));
        } catch (error) {
          const message = (error as Error).message;
          recorder.log('error', message);
          await recorder.flush();
          const end: JobEnd = { status: 'failed', error: message };
          await records.finish(id, end);
          return { end, failure: { error: error as Error } };
        }
      },
      { meta: ended => ended.meta ?? {}, failure: ended => ended.failure },
    );
  }

  private async finish(job: Job, recorder: JobRecorder, outcome: JobOutcome): Promise<Ended> {
    const { records, id } = job;
    if (outcome.nothing !== undefined) {
      recorder.log('warn', outcome.nothing);
      recorder.progress(1);
      await recorder.flush();
      const end: JobEnd = {
        status: 'nothing-restored',
        outcomeMessage: outcome.nothing,
        result: outcome.report as unknown as Record<string, unknown> | undefined,
      };
      await records.finish(id, end);
      return { end, meta: { status: 'nothing-restored', outcome: outcome.nothing } };
    }
    const { report } = outcome;
    const result = report as unknown as Record<string, unknown>;
    const failed = failureSummary(report);
    if (failed) {
      recorder.log('error', `${records.noun} finished with failures: ${failed}`);
      await recorder.flush();
      const end: JobEnd = { status: 'failed', error: failed, result };
      await records.finish(id, end);
      const counts = 'paths' in report ? pathCounts(report) : report.counts;
      return { end, failure: { error: new Error(failed), meta: { counts } } };
    }
    recorder.progress(1);
    recorder.log('info', `${records.noun} finished`);
    await recorder.flush();
    const end: JobEnd = { status: 'succeeded', result };
    await records.finish(id, end);
    return { end, meta: outcome.meta };
  }
}

/** How many paths of a files restore were restored, skipped, failed. */
export function pathCounts(report: FilesRestoreReport): Record<string, number> {
  const counts = { restored: 0, skipped: 0, failed: 0 };
  for (const path of report.paths) counts[path.outcome]++;
  return counts;
}

/** What failed in a report, in a sentence; undefined when nothing did. */
function failureSummary(report: RestoreReport | FilesRestoreReport): string | undefined {
  if ('paths' in report) {
    const failed = report.paths.filter(path => path.outcome === 'failed');
    if (failed.length === 0) return undefined;
    return `${failed.length} of ${report.paths.length} paths were not restored: ${failed.map(path => `${path.path} (${path.message ?? 'failed'})`).join('; ')}`;
  }
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
 * A running job's progress and log, written to its store when the scheduler says (at most
 * every FLUSH_MS, and once more when it ends), so a job writing thousands of objects costs a
 * few updates.
 */
class JobRecorder implements JobProgress {
  private readonly lines: JobLogLine[] = [];
  private fraction: number | undefined = 0;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();
  private cancel?: () => void;

  constructor(
    private readonly save: (update: {
      log: JobLogLine[];
      progress: number | null;
    }) => Promise<void>,
    private readonly schedule: FlushScheduler,
    private readonly echo: (level: JobLogLine['level'], message: string) => void,
  ) {}

  readonly log = (level: JobLogLine['level'], message: string): void => {
    this.echo(level, message);
    this.lines.push({ time: new Date().toISOString(), level, message });
    if (this.lines.length > MAX_LOG_LINES * 2) {
      this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
    }
    this.changed();
  };

  readonly progress = (fraction: number | undefined, message?: string): void => {
    this.fraction = fraction;
    if (message) this.log('info', message);
    else this.changed();
  };

  /** Writes what is pending; resolves once every write so far is done. */
  flush = (): Promise<void> => {
    this.cancel?.();
    this.cancel = undefined;
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const update = { log: this.lines.slice(-MAX_LOG_LINES), progress: this.fraction ?? null };
    this.saving = this.saving.catch(() => undefined).then(() => this.save(update));
    return this.saving;
  };

  private changed(): void {
    this.dirty = true;
    this.cancel ??= this.schedule(() => {
      this.cancel = undefined;
      return this.flush().catch(() => undefined);
    });
  }
}
