import type { Argv, CommandModule } from 'yargs';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { openRepository, repositorySettings } from '../cli/session';
import { volumePruneLine } from '../cli/volume-output';

function deleteOptions(yargs: Argv<GlobalOptions>) {
  return yargs.positional('snapshots', {
    type: 'string',
    array: true,
    demandOption: true,
    describe: 'Snapshot ids, unique prefixes, or latest',
  });
}

type DeleteArgs = ArgumentsOf<typeof deleteOptions>;

export const deleteCommand: CommandModule<GlobalOptions, DeleteArgs> = {
  command: 'delete <snapshots..>',
  describe:
    'Delete snapshots (their volume data goes now; other data is removed by prune once no snapshot uses it)',
  builder: deleteOptions,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    // Resolve every reference before deleting anything, so a typo deletes nothing.
    const ids = await Promise.all(argv.snapshots.map(ref => repository.resolveSnapshotId(ref)));
    for (const id of new Set(ids)) {
      await repository.deleteSnapshot(id);
      process.stdout.write(`snapshot ${id.slice(0, 8)} deleted\n`);
    }
    // Its shared lock would keep the exclusive one volume pruning needs from being taken.
    await repository.endWriteSession();
    try {
      const volumeData = await core.pruneVolumeData(
        repository,
        (await repositorySettings(argv)).location,
      );
      if (volumeData) process.stdout.write(`${volumePruneLine(volumeData)}\n`);
    } catch (error) {
      // The snapshots are deleted; their volume data waits for a prune that can run.
      if (!(error instanceof core.UserError) || error.code !== 'tool-missing') throw error;
      process.stderr.write(
        `warning: their volume data stays until kubectl backup prune runs where restic is installed (${error.message})\n`,
      );
    }
  },
};
