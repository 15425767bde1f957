import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../cli/fail';
import { listOption, type ArgumentsOf, type GlobalOptions } from '../cli/global-options';
import { printResult } from '../cli/output';
import { connect, namespaceOf } from '../cli/session';

function annotateOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('targets', {
      type: 'string',
      array: true,
      default: [],
      describe: 'kind/name, or a kind with -l',
    })
    .option('selector', {
      alias: 'l',
      type: 'string',
      describe: 'Label selector choosing the objects',
    })
    .option('tags', { type: 'string', array: true, describe: 'Tags to add, e.g. hydrate,dev' })
    .option('volumes', {
      type: 'string',
      array: true,
      describe: 'Pod volumes whose data is captured',
    })
    .option('exclude', {
      type: 'boolean',
      default: false,
      describe: 'Exclude the objects from every capture',
    })
    .option('remove', {
      type: 'boolean',
      default: false,
      describe: 'Remove every kube-backup mark',
    })
    .option('list', { type: 'boolean', default: false, describe: 'List what is marked' })
    .option('all-namespaces', {
      alias: 'A',
      type: 'boolean',
      default: false,
      describe: 'With --list: every namespace',
    })
    .check(argv => {
      if (argv.exclude && argv.remove)
        throw new UsageError('--exclude and --remove cannot be combined');
      return true;
    })
    .example(
      'kubectl backup annotate deploy/web sts/db --tags hydrate',
      'mark two workloads for capture',
    )
    .example(
      'kubectl backup annotate pod/web-5d9c-x2x7q',
      "marks the pod's Deployment template instead",
    )
    .example('kubectl backup annotate --list -A', 'show what is marked everywhere');
}

type AnnotateArgs = ArgumentsOf<typeof annotateOptions>;

export const annotateCommand: CommandModule<GlobalOptions, AnnotateArgs> = {
  command: 'annotate [targets..]',
  describe: 'Mark workloads, pods and PVCs for capture (or exclude them), or list what is marked',
  builder: annotateOptions,
  handler: async argv => {
    const connection = await connect(argv);
    const core = await import('@kube-backup/core');
    if (argv.list) {
      const marked = await core.listMarked(
        connection,
        argv['all-namespaces'] ? undefined : namespaceOf(argv, connection),
      );
      await printResult(argv.output, marked, () => ({
        columns: ['namespace', 'object', 'mark', 'tags', 'volumes', 'on'],
        rows: marked.map(item => ({
          namespace: item.namespace,
          object: `${item.kind.toLowerCase()}/${item.name}`,
          mark: item.exclude ? 'exclude' : item.capture ? 'capture' : '-',
          tags: item.tags.join(',') || undefined,
          volumes: item.volumes.join(',') || undefined,
          on: item.markedOn,
        })),
        empty: 'No objects are marked for capture.',
      }));
      return;
    }
    if (argv.targets.length === 0 && !argv.selector) {
      throw new UsageError(
        'name objects to mark (kind/name) or pass -l selector; --list shows what is marked',
      );
    }
    const results = await core.markForCapture(connection, {
      targets: argv.targets,
      namespace: namespaceOf(argv, connection),
      labelSelector: argv.selector,
      tags: listOption(argv.tags),
      volumes: listOption(argv.volumes),
      exclude: argv.exclude,
      remove: argv.remove,
    });
    if (argv.output !== 'table') {
      await printResult(argv.output, results, () => ({ columns: [], rows: [], empty: '' }));
      return;
    }
    for (const result of results) {
      const via = result.viaPodTemplate
        ? ` (pod template of ${result.changed}, so the mark survives pod restarts)`
        : '';
      process.stdout.write(
        `${result.viaPodTemplate ? result.target : result.changed} ${result.action}${via}\n`,
      );
    }
  },
};
