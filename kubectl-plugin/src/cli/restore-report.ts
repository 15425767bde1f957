import type {
  ObjectOutcome,
  RestoreProgress,
  RestoreReport,
  SafetyOverride,
  VolumeOutcome,
} from '@kube-backup/core';
import { EXIT_PARTIAL } from './fail';
import type { GlobalOptions } from './global-options';
import { formatBytes, formatDuration, formatStructured, formatTable } from './output';
import { describeVolumeProgress } from './volume-output';

/** The progress line of a restore, or of a hydration (a restore with a profile). */
export function describeRestoreProgress(event: RestoreProgress): [string, string?] {
  switch (event.phase) {
    case 'loading':
      return ['reading snapshot', `${event.done}/${event.total} objects`];
    case 'checking':
      return ['checking the target cluster'];
    case 'writing':
      return [`writing ${event.tier}`, `${event.done}/${event.total}`];
    case 'waiting':
      return ['waiting for definitions', event.crds.join(', ')];
    case 'deleting':
      return ['deleting stale objects', `${event.done}/${event.total}`];
    case 'volumes':
      return describeVolumeProgress(event.volume);
  }
}

const DONE: Record<ObjectOutcome['outcome'], string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  'skipped-exists': 'skipped (exists)',
  failed: 'failed',
  deleted: 'deleted',
};

const PREVIEW: Record<ObjectOutcome['outcome'], string> = {
  created: 'create',
  updated: 'update',
  unchanged: 'unchanged',
  'skipped-exists': 'skip (exists)',
  failed: 'failed',
  deleted: 'delete',
};

const PLANNED: Record<ObjectOutcome['outcome'], string> = {
  created: 'to create',
  updated: 'to update',
  unchanged: 'unchanged',
  'skipped-exists': 'to skip (exist)',
  failed: 'failed',
  deleted: 'to delete',
};

const OVERRIDDEN: Record<SafetyOverride['check'], string> = {
  'protected-namespace': 'written although protected, as asked',
  'privileged-content': 'privileged content written, as asked',
};

/**
 * The report of a restore or a hydration as a table (a line per object, a summary, dry-run diffs) or as -o json|yaml.
 * Any failed object makes the exit code EXIT_PARTIAL.
 */
export async function printReport(
  format: GlobalOptions['output'],
  report: RestoreReport,
  /** What ran, for the summary line: `restore of snapshot 3f2a1b2c into prod-eu`. */
  title: string,
  extraLines: string[] = [],
): Promise<void> {
  const failed = report.counts.failed;
  if (format !== 'table') {
    process.stdout.write(`${await formatStructured(report, format)}\n`);
  } else {
    const words = report.dryRun ? PREVIEW : DONE;
    const rows = report.objects.map(object => ({
      kind: object.kind,
      namespace: object.namespace ?? '',
      name: object.name,
      result: words[object.outcome],
      message: [
        [
          object.reason !== undefined && object.outcome === 'failed' ? object.reason : '',
          object.message,
        ]
          .filter(Boolean)
          .join(': '),
        object.privileged ? `privileged: ${object.privileged.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    }));
    if (rows.length > 0) {
      const table = formatTable(['kind', 'namespace', 'name', 'result', 'message'], rows);
      // The message column is mostly empty; padding before it would trail every line.
      process.stdout.write(`${table.replace(/ +$/gm, '')}\n`);
    }
    for (const object of report.objects) {
      if (!object.diff?.length) continue;
      const where = object.namespace ? `${object.namespace}/${object.name}` : object.name;
      process.stdout.write(
        `\n# ${object.kind} ${where} (${words[object.outcome]})\n${object.diff.join('\n')}\n`,
      );
    }
    const counts = (Object.keys(words) as Array<ObjectOutcome['outcome']>)
      .filter(outcome => report.counts[outcome] > 0)
      .map(
        outcome => `${report.counts[outcome]} ${report.dryRun ? PLANNED[outcome] : words[outcome]}`,
      );
    const summary = report.dryRun
      ? `dry run of the ${title}: ${counts.join(', ') || 'nothing to do'}; nothing was written`
      : `${title}: ${counts.join(', ') || 'nothing to do'} in ${formatDuration(report.durationMs)}`;
    const overrides = report.overrides.map(
      override =>
        `override: ${override.subject}: ${override.reason} (${OVERRIDDEN[override.check]})`,
    );
    process.stdout.write(
      `${[...(rows.length > 0 ? [''] : []), summary, ...volumeOutcomeLines(report), ...extraLines, ...overrides].join('\n')}\n`,
    );
  }
  for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (failed > 0) {
    process.stderr.write(`error: ${failed} object(s) failed; see the report\n`);
    process.exitCode = EXIT_PARTIAL;
  }
  const failedVolumes = (report.volumes ?? []).filter(volume => volume.outcome === 'failed');
  if (failedVolumes.length > 0) {
    process.stderr.write(
      `error: the data of ${failedVolumes.length} claim(s) was not restored: ${failedVolumes.map(v => `${v.namespace}/${v.claim} (${v.message ?? 'failed'})`).join('; ')}\n`,
    );
    process.exitCode = EXIT_PARTIAL;
  }
}

const VOLUME_OUTCOMES: Record<VolumeOutcome['outcome'], string> = {
  restored: 'data restored',
  'would-restore': 'data would be restored',
  skipped: 'data not restored',
  failed: 'data restore failed',
};

/** A line per restored claim: what became of its data. */
function volumeOutcomeLines(report: RestoreReport): string[] {
  if (!report.volumes?.length) return [];
  return [
    'volume data:',
    ...report.volumes.map(volume => {
      const size =
        volume.bytes !== undefined
          ? ` (${formatBytes(volume.bytes)} in ${volume.files ?? 0} files)`
          : '';
      const advice =
        volume.reason === 'claim-exists'
          ? '; --existing update --overwrite-volume-data replaces it'
          : '';
      return `  ${volume.namespace}/${volume.claim}: ${VOLUME_OUTCOMES[volume.outcome]}${size}${volume.message && volume.outcome !== 'restored' ? `: ${volume.message}${advice}` : ''}`;
    }),
  ];
}
