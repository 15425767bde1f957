import type { Argv, CommandModule } from 'yargs';
import { EXIT_PARTIAL } from '../cli/fail';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatStructured } from '../cli/output';
import { ProgressLine } from '../cli/progress';
import { openRepository, repositorySettings } from '../cli/session';

function verifyOptions(yargs: Argv<GlobalOptions>) {
  return yargs
    .positional('snapshot', {
      type: 'string',
      describe: 'Snapshot id, unique prefix, or latest (default: all)',
    })
    .option('read-data', {
      type: 'boolean',
      default: false,
      describe:
        'Also read back every byte of volume data (slow; without it the volume repository structure is checked)',
    });
}

type VerifyArgs = ArgumentsOf<typeof verifyOptions>;

export const verifyCommand: CommandModule<GlobalOptions, VerifyArgs> = {
  command: 'verify [snapshot]',
  describe:
    'Re-read and re-hash every stored object (of one snapshot, or of all) and name what is corrupt or missing',
  builder: verifyOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const snapshotId = argv.snapshot
      ? await repository.resolveSnapshotId(argv.snapshot)
      : undefined;
    const progress = new ProgressLine();
    const report = await repository
      .verify({
        snapshotId,
        onProgress: ({ phase, done, total }) =>
          progress.update(`verifying ${phase}`, `${done}/${total ?? '?'}`),
      })
      .finally(() => progress.done());
    progress.update(
      argv['read-data'] ? 'verifying volume data (reading it all)' : 'verifying volume data',
    );
    const volumeData = await core
      .verifyVolumeData(repository, (await repositorySettings(argv)).location, {
        readData: argv['read-data'],
        snapshots: snapshotId ? [await repository.getSnapshot(snapshotId)] : undefined,
      })
      .finally(() => progress.done());
    if (argv.output !== 'table')
      process.stdout.write(`${await formatStructured({ ...report, volumeData }, argv.output)}\n`);
    else {
      for (const problem of report.problems) {
        const users = problem.referencedBy.map(
          ({ snapshotId, object }) =>
            `snapshot ${snapshotId.slice(0, 8)}${object ? ` ${object.kind} ${[object.namespace, object.name].filter(Boolean).join('/')}` : ''}`,
        );
        process.stdout.write(
          `${problem.problem} ${problem.what} ${problem.id}: ${problem.message}${users.length ? ` (used by ${users.join(', ')})` : ''}\n`,
        );
      }
      for (const problem of volumeData?.problems ?? []) process.stdout.write(`${problem}\n`);
      process.stdout.write(
        `${report.problems.length === 0 ? 'ok' : 'FAILED'}: checked ${report.objects} objects in ${report.snapshots} snapshot(s), ${report.problems.length} problem(s)\n`,
      );
      if (volumeData) {
        process.stdout.write(
          `${volumeData.ok ? 'ok' : 'FAILED'}: checked the volume repository${volumeData.readData ? ', reading all its data,' : ''} and ${volumeData.checked} captured volume(s), ${volumeData.problems.length} problem(s)\n`,
        );
      }
    }
    if (report.problems.length > 0 || volumeData?.ok === false) process.exitCode = EXIT_PARTIAL;
  },
};
