import type { Argv, CommandModule, Options } from 'yargs';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatBytes, formatStructured } from '../cli/output';
import { ProgressLine } from '../cli/progress';
import { openRepository, repositorySettings } from '../cli/session';
import { volumePruneLine } from '../cli/volume-output';
import { wholeNumber } from '../cli/whole-number';

const KEEP = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type Period = (typeof KEEP)[number];

function keepOption(period: Period) {
  return {
    type: 'number',
    describe:
      period === 'last'
        ? 'Keep the N newest snapshots'
        : `Keep the newest snapshot of each of the last N ${period === 'daily' ? 'days' : period.replace(/ly$/, 's')}`,
  } as const satisfies Options;
}

function pruneOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Show what would be removed',
    })
    .options({
      'keep-last': keepOption('last'),
      'keep-hourly': keepOption('hourly'),
      'keep-daily': keepOption('daily'),
      'keep-weekly': keepOption('weekly'),
      'keep-monthly': keepOption('monthly'),
      'keep-yearly': keepOption('yearly'),
    })
    .check(argv => {
      for (const period of KEEP) {
        const value = argv[`keep-${period}`];
        if (value !== undefined) wholeNumber(`--keep-${period}`, value, 0);
      }
      return true;
    });
}

type PruneArgs = ArgumentsOf<typeof pruneOptions>;

export const pruneCommand: CommandModule<GlobalOptions, PruneArgs> = {
  command: 'prune',
  describe: 'Forget snapshots outside the retention policy and remove data no snapshot uses',
  builder: pruneOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const progress = new ProgressLine();
    const report = await repository
      .prune({
        keepLast: argv['keep-last'],
        keepHourly: argv['keep-hourly'],
        keepDaily: argv['keep-daily'],
        keepWeekly: argv['keep-weekly'],
        keepMonthly: argv['keep-monthly'],
        keepYearly: argv['keep-yearly'],
        dryRun: argv['dry-run'],
        onProgress: ({ phase }) => progress.update(phase),
      })
      .finally(() => progress.done());
    progress.update('removing volume data no snapshot uses');
    const volumeData = await core
      .pruneVolumeData(repository, (await repositorySettings(argv)).location, {
        dryRun: argv['dry-run'],
      })
      .finally(() => progress.done());
    if (argv.output !== 'table') {
      process.stdout.write(`${await formatStructured({ ...report, volumeData }, argv.output)}\n`);
      return;
    }
    const verb = argv['dry-run'] ? 'would remove' : 'removed';
    for (const { id } of report.forgotten)
      process.stdout.write(`snapshot ${id.slice(0, 8)} ${verb}\n`);
    process.stdout.write(
      `${verb} ${report.forgotten.length} snapshot(s) and ${report.removedBlobs} unused object(s), ${formatBytes(report.removedBytes)}; kept ${report.kept.length} snapshot(s)\n`,
    );
    if (volumeData) process.stdout.write(`${volumePruneLine(volumeData)}\n`);
  },
};
