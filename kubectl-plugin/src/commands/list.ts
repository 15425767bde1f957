import type { Argv, CommandModule } from 'yargs';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatAge, formatBytes, printResult } from '../cli/output';
import { openRepository } from '../cli/session';

function listOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .option('entity', { type: 'string', describe: 'Snapshots holding this Backstage entity' })
    .option('tag', { type: 'string', describe: 'Snapshots with this tag' })
    .option('contains', {
      type: 'string',
      describe: 'Snapshots holding this object (kind/name; -n narrows)',
    })
    .option('image', {
      type: 'string',
      describe: 'Snapshots whose pods ran an image matching this text or digest',
    })
    .option('since', {
      type: 'string',
      describe: 'Taken at or after this time (2026-11-01, ISO time, or an age: 24h, 7d)',
    })
    .option('until', { type: 'string', describe: 'Taken at or before this time' });
}

type ListArgs = ArgumentsOf<typeof listOptions>;

export const listCommand: CommandModule<GlobalOptions, ListArgs> = {
  command: ['list', 'ls'],
  describe:
    'List snapshots, newest first, filtered by entity, namespace, tag, content, image or time',
  builder: listOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const snapshots = await core.findSnapshots(repository, await repository.listSnapshots(), {
      entity: argv.entity,
      namespace: argv.namespace,
      tag: argv.tag,
      contains: argv.contains,
      image: argv.image,
      since: argv.since ? core.parseTimeBound(argv.since) : undefined,
      until: argv.until ? core.parseTimeBound(argv.until) : undefined,
    });
    await printResult(argv.output, snapshots, () => ({
      columns: [
        'id',
        'name',
        'age',
        'time',
        'status',
        'cluster',
        'namespaces',
        'objects',
        'new-bytes',
        'tags',
      ],
      rows: snapshots.map(snapshot => ({
        id: snapshot.id.slice(0, 8),
        name: snapshot.name,
        age: formatAge(snapshot.time),
        time: snapshot.time.replace(/\.\d+Z$/, 'Z'),
        status: snapshot.status,
        cluster: snapshot.cluster.name,
        namespaces: abbreviate(snapshot.namespaces),
        objects: snapshot.counts.restorable,
        'new-bytes': formatBytes(snapshot.stats.newBytes),
        tags: snapshot.tags.join(',') || undefined,
      })),
      empty: 'No snapshots found.',
    }));
  },
};

function abbreviate(items: string[]): string {
  return items.length <= 3 ? items.join(',') : `${items.slice(0, 3).join(',')}+${items.length - 3}`;
}
