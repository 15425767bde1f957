import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/global-options';
import { formatStructured } from '../cli/output';
import { openRepository } from '../cli/session';
import { snapshotPositional } from '../cli/shared-options';

interface GetArgs extends GlobalOptions {
  snapshot: string;
  object: string;
}

export const getCommand: CommandModule<GlobalOptions, GetArgs> = {
  command: 'get <snapshot> <object>',
  describe: 'Print one object as captured in a snapshot (kind/name; -o yaml|json)',
  builder: yargs =>
    yargs.positional('snapshot', snapshotPositional).positional('object', {
      type: 'string',
      demandOption: true,
      describe: 'kind/name, e.g. deployment/web',
    }) as never,
  handler: async argv => {
    const core = await import('@kube-backup/core');
    const repository = await openRepository(argv);
    const snapshot = await repository.getSnapshot(argv.snapshot);
    const { object } = await core.getSnapshotObject(
      repository,
      snapshot,
      core.parseObjectReference(argv.object, argv.namespace),
    );
    process.stdout.write(
      `${await formatStructured(object, argv.output === 'json' ? 'json' : 'yaml')}\n`,
    );
  },
};
