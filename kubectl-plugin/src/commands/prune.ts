import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/global-options';
import { formatBytes, formatStructured } from '../cli/output';
import { ProgressLine } from '../cli/progress';
import { openRepository, repositorySettings } from '../cli/session';
import { volumePruneLine } from '../cli/volume-output';

interface PruneArgs extends GlobalOptions {
  'keep-last'?: number;
  'keep-hourly'?: number;
  'keep-daily'?: number;
  'keep-weekly'?: number;
  'keep-monthly'?: number;
  'keep-yearly'?: number;
  'dry-run': boolean;
}

const KEEP = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

export const pruneCommand: CommandModule<GlobalOptions, PruneArgs> = {
  command: 'prune',
  describe: 'Forget snapshots outside the retention policy and remove data no snapshot uses',
  builder: yargs => {
    let built = yargs.option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Show what would be removed',
    });
    for (const period of KEEP) {
      built = built.option(`keep-${period}`, {
        type: 'number',
        describe:
          period === 'last'
            ? 'Keep the N newest snapshots'
            : `Keep the newest snapshot of each of the last N ${period === 'daily' ? 'days' : period.replace(/ly$/, 's')}`,
      });
    }
    return built.check(argv => {
      for (const period of KEEP) {
        const value = argv[`keep-${period}`];
        if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) {
          throw new Error(`--keep-${period} must be a whole number, 0 or more`);
        }
      }
      return true;
    }) as never;
  },
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
