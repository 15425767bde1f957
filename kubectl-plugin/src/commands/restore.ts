import type { CommandModule } from 'yargs';
import type {
  ExistingPolicy,
  ObjectOutcome,
  PatchRule,
  RestoreProgress,
  RestoreReport,
  SafetyOverride,
  VolumeOutcome,
} from '@kube-backup/core';
import { WRITE_ADVICE, withAdvice, type Advice } from '../cli/advice';
import { EXIT_PARTIAL, UsageError } from '../cli/fail';
import { listOption, type GlobalOptions } from '../cli/global-options';
import { formatBytes, formatDuration, formatStructured, formatTable } from '../cli/output';
import { ProgressLine } from '../cli/progress';
import { connect, openRepository, volumeDataSettings } from '../cli/session';
import {
  infrastructureMappingOptions,
  resourceFilterOptions,
  safetyOptions,
  snapshotPositional,
  volumeDataOptions,
  type VolumeDataArgs,
} from '../cli/shared-options';
import { describeVolumeProgress } from '../cli/volume-output';

interface RestoreArgs extends GlobalOptions, VolumeDataArgs {
  snapshot: string;
  'include-namespaces'?: string[];
  selector?: string;
  'include-resources'?: string[];
  'exclude-resources'?: string[];
  entity?: string;
  object?: string[];
  'namespace-mapping'?: string[];
  'storage-class-mapping'?: string[];
  'image-registry-mapping'?: string[];
  replicas?: number;
  'add-labels'?: string[];
  'patch-file'?: string;
  existing: ExistingPolicy;
  'dry-run': boolean;
  'allow-protected': boolean;
  'accept-privileged': boolean;
  'skip-damaged': boolean;
  concurrency: number;
  volumes: 'all' | 'none';
  'overwrite-volume-data': boolean;
}

/** What restore advises on the refusals it can override. */
const RESTORE_ADVICE: Advice = {
  ...WRITE_ADVICE,
  'protected-namespace': () =>
    'pass --allow-protected to write there anyway; the report records it',
};

export const restoreCommand: CommandModule<GlobalOptions, RestoreArgs> = {
  command: 'restore <snapshot>',
  describe:
    'Restore a snapshot, or part of it, into a cluster (with namespace, storage, image and field changes)',
  builder: yargs =>
    yargs
      .positional('snapshot', snapshotPositional)
      .option('include-namespaces', {
        type: 'string',
        array: true,
        describe: 'Only these source namespaces (a,b)',
      })
      .option('selector', {
        alias: 'l',
        type: 'string',
        describe: 'Only objects whose labels match this selector',
      })
      .options(resourceFilterOptions)
      .option('entity', {
        type: 'string',
        describe: "A Backstage entity's workloads (backstage.io/kubernetes-id) and what they need",
      })
      .option('object', {
        type: 'string',
        array: true,
        describe: 'Only these objects, as kind/name (repeatable)',
      })
      .option('namespace-mapping', {
        type: 'string',
        array: true,
        describe: 'Restore namespaces under other names (prod:staging,…)',
      })
      .options(infrastructureMappingOptions)
      .option('replicas', {
        type: 'number',
        describe: 'Replicas of every Deployment, StatefulSet and ReplicaSet',
      })
      .option('add-labels', {
        type: 'string',
        array: true,
        describe: 'Add labels to every restored object (k=v,…)',
      })
      .option('patch-file', {
        type: 'string',
        describe:
          'YAML rules: JSON patches and merge patches matched by group, kind, namespace, name, labels',
      })
      .option('existing', {
        choices: ['skip', 'update', 'fail'] as const,
        default: 'skip' as const,
        describe: 'An object that already exists: leave it, update it to the snapshot, or fail it',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Validate every write on the server and show what would change; write nothing',
      })
      .options(safetyOptions)
      .option('allow-protected', {
        type: 'boolean',
        default: false,
        describe:
          'Write into namespaces labelled kube-backup.io/protected=true (recorded in the report)',
      })
      .option('concurrency', {
        type: 'number',
        default: 32,
        describe: 'Objects written at once',
      })
      .option('volumes', {
        choices: ['all', 'none'] as const,
        default: 'all' as const,
        describe:
          'Restore the data of every restored claim the snapshot holds data for (each gets a fresh volume, filled before the workloads start), or objects only',
      })
      .option('overwrite-volume-data', {
        type: 'boolean',
        default: false,
        describe:
          'With --existing update: replace the data of claims that exist (emptied, then filled with the snapshot)',
      })
      .options(volumeDataOptions)
      .check(argv => {
        if (argv['overwrite-volume-data'] && argv.existing !== 'update') {
          throw new Error('--overwrite-volume-data needs --existing update');
        }
        return true;
      })
      .example('kubectl backup restore latest', 'restore the newest snapshot as it was')
      .example(
        'kubectl backup restore 3f2a --namespace-mapping shop:shop-staging --replicas 1 --dry-run',
        'preview a copy of shop as shop-staging',
      )
      .example(
        'kubectl backup restore latest --object deploy/web -n shop --existing update',
        'put one object back to its snapshot state',
      )
      .example(
        'kubectl backup restore latest --context dr-cluster --storage-class-mapping gp2:premium-rwo',
        'restore into another cluster',
      )
      .example(
        'kubectl backup restore latest -n shop --object pvc/data --existing update --overwrite-volume-data',
        "put a claim's data back as it was",
      ) as never,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const options = {
      includeNamespaces: listOption(argv['include-namespaces']),
      labelSelector: argv.selector,
      includeResources: listOption(argv['include-resources']),
      excludeResources: listOption(argv['exclude-resources']),
      entity: argv.entity,
      objects: listOption(argv.object),
      namespaceMapping: core.parseMapping(
        listOption(argv['namespace-mapping']),
        '--namespace-mapping',
      ),
      storageClassMapping: core.parseMapping(
        listOption(argv['storage-class-mapping']),
        '--storage-class-mapping',
      ),
      imageRegistryMapping: core.parseMapping(
        listOption(argv['image-registry-mapping']),
        '--image-registry-mapping',
      ),
      replicas: checkReplicas(argv.replicas),
      addLabels: core.parseAssignments(listOption(argv['add-labels']), '--add-labels'),
      patchRules: argv['patch-file'] ? await readPatchRules(argv['patch-file']) : undefined,
      existing: argv.existing,
      dryRun: argv['dry-run'],
      allowProtected: argv['allow-protected'],
      acceptPrivileged: argv['accept-privileged'],
      skipDamaged: argv['skip-damaged'],
      concurrency: checkConcurrency(argv.concurrency),
    };
    // -n names a source namespace, as in the other snapshot commands.
    if (argv.namespace && options.includeNamespaces.length === 0) {
      options.includeNamespaces = [argv.namespace];
    }
    const [repository, connection] = await Promise.all([
      openRepository(argv),
      connect(argv, { concurrency: options.concurrency }),
    ]);
    const snapshot = await repository.getSnapshot(
      await repository.resolveSnapshotId(argv.snapshot),
    );
    const volumeData =
      argv.volumes === 'none'
        ? undefined
        : core.volumeDataRestore(connection, repository, snapshot, {
            ...(await volumeDataSettings(argv)),
            overwrite: argv['overwrite-volume-data'],
          });
    const progress = new ProgressLine();
    const report = await withAdvice(
      core.restoreSnapshot(connection, repository, snapshot, { ...options, volumeData }, event =>
        progress.update(...describeProgress(event)),
      ),
      RESTORE_ADVICE,
    ).finally(() => progress.done());
    await printReport(
      argv.output,
      report,
      `restore of snapshot ${snapshot.id.slice(0, 8)} into ${report.target.context}`,
    );
  },
};

export function checkReplicas(replicas: number | undefined): number | undefined {
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    throw new UsageError(`--replicas must be a whole number ≥ 0, not ${replicas}`);
  }
  return replicas;
}

function checkConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(`--concurrency must be a whole number ≥ 1, not ${concurrency}`);
  }
  return concurrency;
}

async function readPatchRules(path: string): Promise<PatchRule[]> {
  const { readFile } = await import('node:fs/promises');
  const { parsePatchRules } = await import('@kube-backup/core');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --patch-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parsePatchRules(text, path);
}

export function describeProgress(event: RestoreProgress): [string, string?] {
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
 * The report as a table (a line per object, a summary, dry-run diffs) or as -o json|yaml.
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
