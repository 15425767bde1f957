import type { Argv, CommandModule } from 'yargs';
import type { PatchRule } from '@kube-backup/core';
import { WRITE_ADVICE, withAdvice, type Advice } from '../cli/advice';
import { UsageError } from '../cli/fail';
import { listOption, type ArgumentsOf, type GlobalOptions } from '../cli/global-options';
import { ProgressLine } from '../cli/progress';
import { describeRestoreProgress, printReport } from '../cli/restore-report';
import { connect, openRepository, volumeDataSettings } from '../cli/session';
import {
  infrastructureMappingOptions,
  resourceFilterOptions,
  safetyOptions,
  snapshotPositional,
  volumeDataOptions,
} from '../cli/shared-options';
import { wholeNumber } from '../cli/whole-number';

/** What restore advises on the refusals it can override. */
const RESTORE_ADVICE: Advice = {
  ...WRITE_ADVICE,
  'protected-namespace': () =>
    'pass --allow-protected to write there anyway; the report records it',
};

function restoreOptions(yargs: Argv<GlobalOptions>) {
  return yargs
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
        throw new UsageError('--overwrite-volume-data needs --existing update');
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
    );
}

type RestoreArgs = ArgumentsOf<typeof restoreOptions>;

export const restoreCommand: CommandModule<GlobalOptions, RestoreArgs> = {
  command: 'restore <snapshot>',
  describe:
    'Restore a snapshot, or part of it, into a cluster (with namespace, storage, image and field changes)',
  builder: restoreOptions,
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
      replicas:
        argv.replicas === undefined ? undefined : wholeNumber('--replicas', argv.replicas, 0),
      addLabels: core.parseAssignments(listOption(argv['add-labels']), '--add-labels'),
      patchRules: argv['patch-file'] ? await readPatchRules(argv['patch-file']) : undefined,
      existing: argv.existing,
      dryRun: argv['dry-run'],
      allowProtected: argv['allow-protected'],
      acceptPrivileged: argv['accept-privileged'],
      skipDamaged: argv['skip-damaged'],
      concurrency: wholeNumber('--concurrency', argv.concurrency, 1),
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
        progress.update(...describeRestoreProgress(event)),
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
