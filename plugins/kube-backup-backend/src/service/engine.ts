import type { FilesRestoreScope } from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  hydrateSnapshot,
  restoreFiles,
  restoreSnapshot,
  TIERS,
  volumeDataRestore,
  type ClusterConnection,
  type FilesRestoreReport,
  type HydrateReport,
  type RecordSelection,
  type Repository,
  type RestoreProgress,
  type RestoreReport,
  type Snapshot,
  type VolumeDataSettings,
} from '@kube-backup/core';

export type EngineLog = (level: 'info' | 'warn' | 'error', message: string) => void;

interface EngineCall {
  connection: ClusterConnection;
  repository: Repository;
  snapshot: Snapshot;
  /** How volume data reaches the cluster. */
  volumes: VolumeDataSettings;
  /** A fraction 0..1 (undefined while unknown) and, at each new step, what it is doing. */
  onProgress: (fraction: number | undefined, message?: string) => void;
  log: EngineLog;
}

export interface HydrateCall extends EngineCall {
  /** The entity's `backstage.io/kubernetes-id`, when it has one. */
  entityId?: string;
  /** The entity's label selector annotation, when it has one. */
  labelSelector?: string;
  /** The namespace copied; default the one the entity's objects live in. */
  sourceNamespace?: string;
  includeSecrets: boolean;
  targetNamespace: string;
  protectedNamespaces: string[];
  /** Replicas of every scaled workload; default core's (1). */
  replicas?: number;
  /** Write nothing: the target's API server checks every object (`dryRun=All`). */
  dryRun?: boolean;
  /** Every claim's data, none, or (undefined) that of claims tagged for hydration. */
  withData?: boolean;
}

export interface RestoreCall extends EngineCall {
  /** What to write: the entity's part of the snapshot, narrowed by the request's scope. */
  selection: RecordSelection;
  /** What to do with objects that exist: leave them (default) or set them back. */
  existing?: 'skip' | 'update';
  /** Fill restored claims with their data (default true). */
  withData?: boolean;
}

export interface FilesRestoreCall extends EngineCall {
  /** Checked against the entity's claims: paths normalised, target named. */
  files: FilesRestoreScope;
}

/** What the backend asks of core; every real piece of work happens there. */
export interface KubeBackupEngine {
  hydrate(call: HydrateCall): Promise<HydrateReport>;
  restore(call: RestoreCall): Promise<RestoreReport>;
  restoreFiles(call: FilesRestoreCall): Promise<FilesRestoreReport>;
}

const TIER_COUNT = Object.keys(TIERS).length;
const TIER_RANKS = new Map<string, number>(
  Object.values(TIERS).map(tier => [tier.name, tier.rank]),
);

/**
 * Turns core's progress events into a fraction of the whole job and a log line at each new
 * step (not one per object): loading is the first 30%, writing tier by tier up to 95%, and
 * deleting what an earlier hydration left the rest.
 */
export function progressReporter(
  onProgress: EngineCall['onProgress'],
): (progress: RestoreProgress) => void {
  let step = '';
  let fraction: number | undefined = 0;
  return progress => {
    let message: string | undefined;
    const enter = (name: string, text: string) => {
      if (step !== name) message = text;
      step = name;
    };
    switch (progress.phase) {
      case 'loading':
        enter('loading', `reading ${progress.total} objects from the snapshot`);
        fraction = progress.total > 0 ? (0.3 * progress.done) / progress.total : 0;
        break;
      case 'checking':
        enter('checking', 'checking the target cluster');
        fraction = 0.3;
        break;
      case 'writing': {
        enter(`writing ${progress.tier}`, `writing ${progress.tier} (${progress.total})`);
        const rank = TIER_RANKS.get(progress.tier);
        const within = progress.total > 0 ? progress.done / progress.total : 1;
        fraction = rank === undefined ? fraction : 0.35 + (0.6 * (rank + within)) / TIER_COUNT;
        break;
      }
      case 'waiting':
        enter(
          `waiting ${progress.crds.join()}`,
          `waiting for ${progress.crds.join(', ')} to be established`,
        );
        break;
      case 'deleting':
        enter('deleting', `deleting ${progress.total} objects an earlier hydration made`);
        fraction = 0.95 + (progress.total > 0 ? (0.05 * progress.done) / progress.total : 0.05);
        break;
      case 'volumes': {
        const { volume, step: volumeStep } = progress.volume;
        enter(`${volumeStep} ${volume}`, `${VOLUME_STEPS[volumeStep] ?? volumeStep} ${volume}`);
        break;
      }
    }
    onProgress(fraction, message);
  };
}

const VOLUME_STEPS: Record<string, string> = {
  restoring: 'restoring the data of',
  restored: 'restored the data of',
  failed: 'could not restore the data of',
};

const FILES_STEPS = {
  starting: { fraction: 0.1, message: 'starting a mover on the claim' },
  restoring: { fraction: 0.3, message: 'restoring the chosen paths' },
  done: { fraction: 0.95, message: 'the mover finished' },
} as const;

/** What became of each path of a files restore, into the job's log. */
export function logFilesReport(report: FilesRestoreReport, log: EngineLog): void {
  for (const path of report.paths) {
    const counts = [
      `${path.restored} written`,
      `${path.overwritten} overwritten`,
      `${path.renamed} kept beside live ones (${report.renameSuffix})`,
      `${path.skipped} left as they were`,
    ].filter(text => !text.startsWith('0 '));
    const detail = [counts.join(', '), path.message].filter(Boolean).join('; ');
    log(
      path.outcome === 'failed' ? 'error' : 'info',
      `${path.path} → ${report.targetClaim}:${path.target}: ${path.outcome}${detail ? ` (${detail})` : ''}`,
    );
  }
  log('info', `${report.paths.length} path(s) in ${report.durationMs} ms`);
}

/** Per-object failures and warnings of a finished restore, into the job's log. */
export function logReport(report: RestoreReport, log: EngineLog): void {
  for (const object of report.objects) {
    if (object.outcome !== 'failed') continue;
    const where = object.namespace ? ` in ${object.namespace}` : '';
    log(
      'error',
      `${object.kind}/${object.name}${where} failed: ${object.reason ? `${object.reason}: ` : ''}${object.message ?? 'no reason given'}`,
    );
  }
  for (const volume of report.volumes ?? []) {
    const claim = `${volume.namespace}/${volume.claim}`;
    if (volume.outcome === 'failed')
      log('error', `data of ${claim} not restored: ${volume.message ?? 'no reason given'}`);
    else if (volume.outcome === 'skipped')
      log('info', `data of ${claim} not restored: ${volume.message ?? volume.reason}`);
    else
      log(
        'info',
        `data of ${claim} restored (${volume.bytes ?? 0} bytes in ${volume.files ?? 0} files)`,
      );
  }
  for (const warning of report.warnings) log('warn', warning);
  const counts = Object.entries(report.counts)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${count} ${outcome}`);
  log('info', `${counts.join(', ') || 'nothing written'} in ${report.durationMs} ms`);
}

/** The engine over @kube-backup/core's hydrateSnapshot and restoreSnapshot. */
export const coreEngine: KubeBackupEngine = {
  async hydrate(call) {
    const report = await hydrateSnapshot(call.connection, call.repository, {
      snapshot: call.snapshot,
      entity: call.entityId,
      labelSelector: call.labelSelector,
      sourceNamespace: call.sourceNamespace,
      targetNamespace: call.targetNamespace,
      secrets: call.includeSecrets ? 'copy' : 'skip',
      replicas: call.replicas,
      protectedNamespaces: call.protectedNamespaces,
      dryRun: call.dryRun,
      onProgress: progressReporter(call.onProgress),
      volumeData:
        call.withData === false
          ? undefined
          : snapshot =>
              volumeDataRestore(call.connection, call.repository, snapshot, {
                ...call.volumes,
                data: call.withData ? 'all' : { tag: 'hydrate' },
              }),
    });
    logReport(report, call.log);
    for (const secret of report.missingSecrets) {
      call.log(
        'warn',
        `Secret ${secret.name} is not in ${report.targetNamespace} but ${secret.usedBy.join(', ')} use it`,
      );
    }
    return report;
  },

  async restore(call) {
    const report = await restoreSnapshot(
      call.connection,
      call.repository,
      call.snapshot,
      {
        ...call.selection,
        existing: call.existing ?? 'skip',
        volumeData:
          call.withData === false
            ? undefined
            : volumeDataRestore(call.connection, call.repository, call.snapshot, call.volumes),
      },
      progressReporter(call.onProgress),
    );
    logReport(report, call.log);
    return report;
  },

  async restoreFiles(call) {
    const { files } = call;
    const report = await restoreFiles(call.connection, call.repository, call.volumes, {
      snapshot: call.snapshot,
      source: { namespace: files.namespace, claim: files.claim },
      paths: files.paths,
      intoClaim: files.targetClaim,
      existing: files.existing,
      onProgress: step => call.onProgress(FILES_STEPS[step].fraction, FILES_STEPS[step].message),
    });
    logFilesReport(report, call.log);
    return report;
  },
};
