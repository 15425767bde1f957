import type { Argv, CommandModule } from 'yargs';
import type { CaptureProgress, VolumeSelection } from '@kube-backup/core';
import { EXIT_PARTIAL, UsageError } from '../cli/fail';
import { parseDuration } from '../cli/duration';
import { listOption, type ArgumentsOf, type GlobalOptions } from '../cli/global-options';
import { formatBytes, formatDuration, formatStructured } from '../cli/output';
import { ProgressLine } from '../cli/progress';
import { connect, openRepository, repositorySettings, volumeDataSettings } from '../cli/session';
import { resourceFilterOptions, volumeDataOptions } from '../cli/shared-options';
import { describeVolumeProgress, volumeLines } from '../cli/volume-output';

function createOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('name', { type: 'string', describe: 'A name for the snapshot' })
    .option('include-namespaces', {
      type: 'string',
      array: true,
      describe: 'Namespaces to back up (a,b)',
    })
    .option('exclude-namespaces', {
      type: 'string',
      array: true,
      describe: 'Namespaces to leave out (with -A)',
    })
    .option('all-namespaces', {
      alias: 'A',
      type: 'boolean',
      default: false,
      describe: 'Every namespace',
    })
    .option('selector', {
      alias: 'l',
      type: 'string',
      describe: 'Only components matching this label selector',
    })
    .option('tag', { type: 'string', array: true, describe: 'Tag the snapshot (repeatable)' })
    .option('entity', {
      type: 'string',
      array: true,
      describe: 'Only workloads of these Backstage entities (backstage.io/kubernetes-id)',
    })
    .option('annotated-only', {
      type: 'boolean',
      default: false,
      describe: 'Only what `kubectl backup annotate` marked',
    })
    .options(resourceFilterOptions)
    .option('include-cluster-resources', {
      choices: ['auto', 'true', 'false'] as const,
      default: 'auto' as const,
      describe: 'Cluster-scoped objects: auto = those the selection needs (all of them with -A)',
    })
    .option('lock-wait', {
      type: 'string',
      default: '5m',
      describe: 'How long to wait for a prune holding the repository (30s, 5m; 0 fails at once)',
    })
    .option('volumes', {
      choices: ['annotated', 'all', 'none'] as const,
      describe:
        "Whose data to capture: claims marked kube-backup.io/capture or named by a pod template's kube-backup.io/volumes, every claim, or none (default $KUBE_BACKUP_VOLUMES, volumes in the config file, or annotated)",
    })
    .option('volume-method', {
      choices: ['snapshot', 'fs', 'auto'] as const,
      default: 'auto' as const,
      describe:
        "snapshot: a CSI VolumeSnapshot, cloned and copied; fs: the live claim copied read-only; auto: snapshot where the claim's driver has a VolumeSnapshotClass",
    })
    .option('keep-volume-snapshots', {
      type: 'boolean',
      default: false,
      describe: 'Leave the VolumeSnapshots in the cluster as fast local restore points',
    })
    .options(volumeDataOptions)
    .check(argv => {
      // yargs' conflicts() counts a boolean's default as given, so check by hand.
      if (argv['all-namespaces'] && (argv.namespace || argv['include-namespaces']?.length)) {
        throw new UsageError(
          '-A/--all-namespaces cannot be combined with -n or --include-namespaces',
        );
      }
      // Each of these would be silently ignored, backing up something else than meant.
      if (argv.namespace && argv['include-namespaces']?.length) {
        throw new UsageError(
          '-n and --include-namespaces both name the namespaces to back up; give them all with --include-namespaces',
        );
      }
      if (argv['exclude-namespaces']?.length && !argv['all-namespaces']) {
        throw new UsageError(
          '--exclude-namespaces applies only with -A/--all-namespaces; name just the namespaces to back up instead',
        );
      }
      parseDuration(argv['lock-wait'], '--lock-wait');
      return true;
    })
    .example('kubectl backup create -n shop', 'back up one namespace')
    .example(
      'kubectl backup create nightly -A --exclude-namespaces kube-system',
      'back up the cluster',
    )
    .example(
      'kubectl backup create --entity storefront --tag release',
      "back up one Backstage entity's workloads",
    )
    .example(
      'kubectl backup create -n shop --volumes all --volume-method snapshot',
      'back up a namespace with the data of every claim, from CSI snapshots',
    );
}

type CreateArgs = ArgumentsOf<typeof createOptions>;

export const createCommand: CommandModule<GlobalOptions, CreateArgs> = {
  command: 'create [name]',
  describe: 'Back up namespaces or components, with their dependencies, into a snapshot',
  builder: createOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const connection = await connect(argv);
    const progress = new ProgressLine();
    const repository = await openRepository(argv, {
      lockWaitMs: parseDuration(argv['lock-wait'], '--lock-wait'),
      onLockWait: holder =>
        progress.update(
          'waiting for the repository lock',
          `held by ${holder.operation ?? 'another process'} on host ${holder.hostname} (pid ${holder.pid}); up to ${argv['lock-wait']}`,
        ),
    });
    const selection = argv.volumes ?? (await configuredVolumes(argv));
    const volumeData =
      selection === 'none'
        ? undefined
        : core.volumeDataCapture(connection, repository, {
            ...(await volumeDataSettings(argv)),
            selection,
            method: argv['volume-method'],
            keepVolumeSnapshots: argv['keep-volume-snapshots'],
          });
    const namespaces = listOption(argv['include-namespaces']);
    const snapshot = await core
      .captureSnapshot(connection, repository, {
        name: argv.name,
        namespaces:
          namespaces.length > 0 ? namespaces : argv.namespace ? [argv.namespace] : undefined,
        allNamespaces: argv['all-namespaces'],
        excludeNamespaces: listOption(argv['exclude-namespaces']),
        labelSelector: argv.selector,
        tags: listOption(argv.tag),
        entities: listOption(argv.entity),
        annotatedOnly: argv['annotated-only'],
        includeResources: listOption(argv['include-resources']),
        excludeResources: listOption(argv['exclude-resources']),
        includeClusterResources: argv['include-cluster-resources'],
        volumeData,
        onProgress: (event: CaptureProgress) => progress.update(...describeProgress(event)),
      })
      .finally(() => progress.done());
    if (argv.output !== 'table') {
      process.stdout.write(`${await formatStructured(snapshot, argv.output)}\n`);
    } else {
      const kinds = Object.entries(snapshot.counts.byKind)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, count]) => `  ${kind}: ${count}`)
        .join('\n');
      process.stdout.write(
        [
          `snapshot ${snapshot.id.slice(0, 8)} ${snapshot.status}${snapshot.name ? ` (${snapshot.name})` : ''}`,
          `objects: ${snapshot.counts.restorable} restorable, ${snapshot.counts.objects - snapshot.counts.restorable} recorded for search`,
          kinds,
          `namespaces: ${snapshot.namespaces.join(', ') || '<none>'}`,
          ...volumeLines(snapshot),
          `stored: ${formatBytes(snapshot.stats.newBytes)} new (${snapshot.stats.storedObjects} objects), ${formatBytes(snapshot.stats.reusedBytes)} deduplicated (${snapshot.stats.reusedObjects} objects)`,
          `duration: ${formatDuration(snapshot.durationMs)}`,
        ].join('\n') + '\n',
      );
    }
    if (snapshot.status === 'partial') {
      for (const error of snapshot.errors) {
        process.stderr.write(
          `error: ${[error.resource, error.namespace && `in ${error.namespace}`].filter(Boolean).join(' ')}: ${error.message}\n`,
        );
      }
      process.stderr.write(
        `snapshot ${snapshot.id.slice(0, 8)} is partial: ${snapshot.errors.length} error(s); the rest was kept\n`,
      );
      process.exitCode = EXIT_PARTIAL;
    }
  },
};

/** The configured default of --volumes ($KUBE_BACKUP_VOLUMES, the config file), else annotated. */
async function configuredVolumes(argv: GlobalOptions): Promise<VolumeSelection> {
  const { VOLUME_SELECTIONS } = await import('@kube-backup/core');
  const configured = (await repositorySettings(argv)).volumes;
  if (configured === undefined) return 'annotated';
  if (!(VOLUME_SELECTIONS as readonly string[]).includes(configured)) {
    throw new UsageError(
      `volumes is "${configured}" in $KUBE_BACKUP_VOLUMES or the config file; use ${VOLUME_SELECTIONS.join(', ')}`,
    );
  }
  return configured as VolumeSelection;
}

function describeProgress(event: CaptureProgress): [string, string?] {
  switch (event.phase) {
    case 'discovering':
      return ['discovering resource types'];
    case 'listing':
      return ['listing', `${event.done}/${event.total} lists, ${event.objects} objects`];
    case 'storing':
      return ['storing', `${event.done}/${event.total} objects`];
    case 'volumes':
      return describeVolumeProgress(event.volume);
    case 'saving':
      return ['saving snapshot'];
  }
}
