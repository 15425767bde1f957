import type { Argv, CommandModule } from 'yargs';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatStructured } from '../cli/output';
import { openRepository } from '../cli/session';
import { snapshotPositional } from '../cli/shared-options';

function getOptions(yargs: Argv<GlobalOptions>) {
  return yargs.positional('snapshot', snapshotPositional).positional('object', {
    type: 'string',
    demandOption: true,
    describe: 'kind/name, e.g. deployment/web',
  });
}

type GetArgs = ArgumentsOf<typeof getOptions>;

export const getCommand: CommandModule<GlobalOptions, GetArgs> = {
  command: 'get <snapshot> <object>',
  describe: 'Print one object as captured in a snapshot (kind/name; -o yaml|json)',
  builder: getOptions,
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
