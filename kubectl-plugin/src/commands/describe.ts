import type { Argv, CommandModule } from 'yargs';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatBytes, formatDuration, formatStructured, formatTable } from '../cli/output';
import { openRepository } from '../cli/session';
import { snapshotPositional } from '../cli/shared-options';
import { describeVolumeData } from '../cli/volume-output';

function describeOptions(yargs: Argv<GlobalOptions>) {
  return yargs.positional('snapshot', snapshotPositional).option('objects', {
    type: 'boolean',
    default: false,
    describe: 'Also list every object',
  });
}

type DescribeArgs = ArgumentsOf<typeof describeOptions>;

export const describeCommand: CommandModule<GlobalOptions, DescribeArgs> = {
  command: 'describe <snapshot>',
  describe: 'Show a snapshot: source, selection, counts, images, volumes and errors',
  builder: describeOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const snapshot = await repository.getSnapshot(argv.snapshot);
    const records = argv.objects ? await core.loadRecords(repository, snapshot) : undefined;
    if (argv.output !== 'table') {
      process.stdout.write(
        `${await formatStructured(records ? { ...snapshot, objects: records } : snapshot, argv.output)}\n`,
      );
      return;
    }
    const selection = snapshot.selection;
    const lines = [
      `ID:          ${snapshot.id}`,
      `Name:        ${snapshot.name ?? '<none>'}`,
      `Time:        ${snapshot.time}`,
      `Status:      ${snapshot.status}`,
      `Cluster:     ${snapshot.cluster.name} (${snapshot.cluster.server}, ${snapshot.cluster.version ?? 'version unknown'})`,
      `Namespaces:  ${snapshot.namespaces.join(', ') || '<none>'}`,
      `Selection:   ${describeSelection(selection)}`,
      `Tags:        ${snapshot.tags.join(', ') || '<none>'}`,
      `Entities:    ${snapshot.entities.join(', ') || '<none>'}`,
      `Objects:     ${snapshot.counts.restorable} restorable, ${snapshot.counts.objects - snapshot.counts.restorable} recorded for search`,
      ...Object.entries(snapshot.counts.byKind)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, count]) => `  ${kind}: ${count}`),
      `Stored:      ${formatBytes(snapshot.stats.newBytes)} new, ${formatBytes(snapshot.stats.reusedBytes)} deduplicated`,
      `Duration:    ${formatDuration(snapshot.durationMs)}`,
      'Images:',
      ...(snapshot.images.length
        ? snapshot.images.map(image => `  ${image.image}  ${image.digest ?? 'digest unknown'}`)
        : ['  <none>']),
      'Volumes:',
      ...(snapshot.volumes.length
        ? snapshot.volumes.map(
            volume =>
              `  ${volume.namespace}/${volume.claim}  ${volume.size ?? 'size unknown'}  ${volume.storageClass ?? 'no class'}  ${describeVolumeData(volume)}`,
          )
        : ['  <none>']),
      'Errors:',
      ...(snapshot.errors.length
        ? snapshot.errors.map(
            error =>
              `  ${[error.resource, error.namespace].filter(Boolean).join(' in ')}: ${error.message}`,
          )
        : ['  <none>']),
    ];
    if (records) {
      lines.push(
        'Objects:',
        formatTable(
          ['namespace', 'kind', 'name', 'restore'],
          records.map(record => ({
            namespace: record.namespace ?? '(cluster)',
            kind: record.kind,
            name: record.name,
            restore: record.restorable
              ? 'yes'
              : `no (made by ${record.owner?.kind ?? 'controller'})`,
          })),
        ).replace(/^/gm, '  '),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

function describeSelection(selection: import('@kube-backup/core').Snapshot['selection']): string {
  const parts = [
    selection.namespaces === 'all'
      ? 'all namespaces'
      : `namespaces ${selection.namespaces.join(',')}`,
  ];
  if (selection.excludeNamespaces.length)
    parts.push(`excluding ${selection.excludeNamespaces.join(',')}`);
  if (selection.labelSelector) parts.push(`-l ${selection.labelSelector}`);
  if (selection.entities.length) parts.push(`entities ${selection.entities.join(',')}`);
  if (selection.annotatedOnly) parts.push('annotated only');
  if (selection.includeResources?.length)
    parts.push(`resources ${selection.includeResources.join(',')}`);
  if (selection.excludeResources?.length)
    parts.push(`without ${selection.excludeResources.join(',')}`);
  parts.push(`cluster resources ${selection.includeClusterResources}`);
  return parts.join('; ');
}
