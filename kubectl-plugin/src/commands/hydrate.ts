import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../cli/fail';
import { listOption, type ArgumentsOf, type GlobalOptions } from '../cli/global-options';
import { ProgressLine } from '../cli/progress';
import { connect, openRepository, volumeDataSettings } from '../cli/session';
import { describeRestoreProgress, printReport } from '../cli/restore-report';
import { wholeNumber } from '../cli/whole-number';
import {
  infrastructureMappingOptions,
  safetyOptions,
  volumeDataOptions,
} from '../cli/shared-options';
import { WRITE_ADVICE, withAdvice, type Advice } from '../cli/advice';

/** What hydrate advises on the refusals it can override. */
const HYDRATE_ADVICE: Advice = {
  ...WRITE_ADVICE,
  'protected-namespace': error =>
    error.details.namespace
      ? `pass --allow-namespace ${error.details.namespace} if you really mean it; the report records it`
      : undefined,
};

function hydrateOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .option('to', { type: 'string', demandOption: true, describe: 'The namespace to fill' })
    .option('from', {
      type: 'string',
      describe: 'The source namespace (default: the one the chosen components live in)',
    })
    .option('entity', {
      type: 'string',
      describe: "A Backstage entity's components (backstage.io/kubernetes-id)",
    })
    .option('tag', { type: 'string', describe: 'Components tagged with kube-backup.io/tags' })
    .option('selector', {
      alias: 'l',
      type: 'string',
      describe: 'Components whose labels match this selector',
    })
    .option('snapshot', {
      type: 'string',
      describe: 'Snapshot id, prefix or latest (default: the newest complete one holding them)',
    })
    .option('to-context', {
      type: 'string',
      describe: 'The kubeconfig context of the target cluster (default: --context)',
    })
    .option('secrets', {
      choices: ['skip', 'copy'] as const,
      default: 'skip' as const,
      describe: 'Copy production Secrets too (by default they stay behind and are listed)',
    })
    .option('replicas', { type: 'number', default: 1, describe: 'Replicas of every workload' })
    .option('refresh', {
      type: 'boolean',
      default: false,
      describe:
        'Update an earlier hydration in place and delete what it made that this one no longer has',
    })
    .option('allow-namespace', {
      type: 'string',
      array: true,
      describe:
        'Hydrate into this namespace although it is protected by default: a system namespace, one labelled kube-backup.io/protected=true, or one of the source cluster holding objects of its own (recorded in the report)',
    })
    .option('allow-source', {
      type: 'boolean',
      default: false,
      hidden: true,
      describe: "Deprecated: allow hydrating into the snapshot's own source namespace",
    })
    .options(safetyOptions)
    .option('ingress-host-suffix', {
      type: 'string',
      describe:
        'Append this domain to every Ingress host (shop.example.com → shop.example.com.<suffix>); without it, an Ingress on a production host is left out',
    })
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Validate on the server and show what would change; write nothing',
    })
    .options(infrastructureMappingOptions)
    .option('concurrency', { type: 'number', default: 32, describe: 'Objects written at once' })
    .option('with-data', {
      type: 'boolean',
      default: false,
      describe:
        'Restore the data of every hydrated claim (default: only claims tagged hydrate, or used by a workload tagged hydrate)',
    })
    .option('without-data', {
      type: 'boolean',
      default: false,
      describe: 'Hydrate objects only: claims come back empty',
    })
    .options(volumeDataOptions)
    .check(argv => {
      if (argv['with-data'] && argv['without-data']) {
        throw new UsageError('--with-data and --without-data cannot be combined');
      }
      return true;
    })
    .example(
      'kubectl backup hydrate --to dev --entity storefront',
      "copy storefront's components into dev",
    )
    .example(
      'kubectl backup hydrate --to dev --from prod --tag hydrate --refresh',
      'bring an earlier hydration of dev up to date',
    )
    .example(
      'kubectl backup hydrate --to dev-alice --entity ledger --with-data',
      "copy ledger's components with the data of all their claims",
    );
}

type HydrateArgs = ArgumentsOf<typeof hydrateOptions>;

export const hydrateCommand: CommandModule<GlobalOptions, HydrateArgs> = {
  command: 'hydrate',
  describe:
    'Fill a dev/test namespace with production components from a snapshot (no Secrets, scaled down, labelled)',
  builder: hydrateOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const replicas = wholeNumber('--replicas', argv.replicas, 0);
    const concurrency = wholeNumber('--concurrency', argv.concurrency, 1);
    const storageClassMapping = core.parseMapping(
      listOption(argv['storage-class-mapping']),
      '--storage-class-mapping',
    );
    const imageRegistryMapping = core.parseMapping(
      listOption(argv['image-registry-mapping']),
      '--image-registry-mapping',
    );
    const repository = await openRepository(argv);
    const connection = await connect(argv, {
      context: argv['to-context'] ?? argv.context,
      concurrency,
    });
    const settings = argv['without-data'] ? undefined : await volumeDataSettings(argv);
    const progress = new ProgressLine();
    const hydration = core.hydrateSnapshot(connection, repository, {
      targetNamespace: argv.to,
      sourceNamespace: argv.from,
      entity: argv.entity,
      tag: argv.tag,
      labelSelector: argv.selector,
      snapshot: argv.snapshot,
      secrets: argv.secrets,
      replicas,
      refresh: argv.refresh,
      allowNamespaces: listOption(argv['allow-namespace']),
      allowSource: argv['allow-source'],
      acceptPrivileged: argv['accept-privileged'],
      skipDamaged: argv['skip-damaged'],
      ingressHostSuffix: argv['ingress-host-suffix'],
      dryRun: argv['dry-run'],
      concurrency,
      transforms: { storageClassMapping, imageRegistryMapping },
      onProgress: event => progress.update(...describeRestoreProgress(event)),
      volumeData:
        settings &&
        (snapshot =>
          core.volumeDataRestore(connection, repository, snapshot, {
            ...settings,
            data: argv['with-data'] ? 'all' : { tag: 'hydrate' },
          })),
    });
    const report = await withAdvice(hydration, HYDRATE_ADVICE).finally(() => progress.done());
    const notes = [
      ...report.missingSecrets.map(
        secret =>
          `missing secret: ${secret.name} (used by ${secret.usedBy.join(', ')}); create it in ${report.targetNamespace}${argv.secrets === 'skip' ? ' or pass --secrets copy' : ''}`,
      ),
      ...report.droppedAutoscalers.map(hpa => `left out: ${hpa}, which would scale it back up`),
      ...report.leftOutIngresses.map(
        ingress =>
          `left out: Ingress/${ingress.name} (${ingress.reason})${ingress.catchAll ? '' : '; give it hosts of its own with --ingress-host-suffix'}`,
      ),
    ];
    await printReport(
      argv.output,
      report,
      `hydration of ${report.targetNamespace} from ${report.sourceNamespace} (snapshot ${report.snapshot.id.slice(0, 8)})`,
      notes,
    );
  },
};
