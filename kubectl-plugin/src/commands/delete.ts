import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/global-options';
import { openRepository } from '../cli/session';

interface DeleteArgs extends GlobalOptions {
  snapshots: string[];
}

export const deleteCommand: CommandModule<GlobalOptions, DeleteArgs> = {
  command: 'delete <snapshots..>',
  describe: 'Delete snapshots (their data is removed by prune once no snapshot uses it)',
  builder: yargs =>
    yargs.positional('snapshots', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Snapshot ids, unique prefixes, or latest',
    }) as never,
  handler: async argv => {
    const repository = await openRepository(argv);
    // Resolve every reference before deleting anything, so a typo deletes nothing.
    const ids = await Promise.all(argv.snapshots.map(ref => repository.resolveSnapshotId(ref)));
    for (const id of new Set(ids)) {
      await repository.deleteSnapshot(id);
      process.stdout.write(`snapshot ${id.slice(0, 8)} deleted\n`);
    }
  },
};
