import type { Argv, CommandModule } from 'yargs';
import type { ArgumentsOf, GlobalOptions } from '../cli/global-options';
import { formatBytes, printResult } from '../cli/output';
import { initRepository, openRepository } from '../cli/session';

const initCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'init',
  describe:
    'Create a password-protected repository (location from --repository, $KUBE_BACKUP_REPOSITORY or the default)',
  handler: async argv => {
    const repository = await initRepository(argv);
    const { N, r, p, memoryBytes } = repository.keyDerivation;
    process.stdout.write(
      `created repository ${repository.id.slice(0, 8)} at ${repository.location}\n` +
        `key derivation: scrypt N=2^${Math.log2(N)}, r=${r}, p=${p} (${Math.ceil(memoryBytes / 2 ** 20)} MiB of memory each time the repository is opened)\n`,
    );
  },
};

const statsCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'stats',
  describe: 'Show how many snapshots and objects the repository holds, and their size',
  handler: async argv => {
    const repository = await openRepository(argv);
    const stats = await repository.storageStats();
    await printResult(
      argv.output,
      { id: repository.id, location: repository.location, ...stats },
      () => ({
        columns: ['location', 'snapshots', 'objects', 'size'],
        rows: [
          {
            location: repository.location,
            snapshots: stats.snapshots,
            objects: stats.blobs,
            size: formatBytes(stats.totalBytes),
          },
        ],
        empty: '',
      }),
    );
  },
};

function unlockOptions(yargs: Argv<GlobalOptions>) {
  return yargs.option('all', {
    type: 'boolean',
    default: false,
    describe: 'Also remove locks that look alive',
  });
}

const unlockCommand: CommandModule<GlobalOptions, ArgumentsOf<typeof unlockOptions>> = {
  command: 'unlock',
  describe: 'Remove stale locks left by killed processes (--all removes live ones too)',
  builder: unlockOptions,
  handler: async argv => {
    const repository = await openRepository(argv);
    const removed = await repository.unlock({ all: argv.all });
    process.stdout.write(`removed ${removed} lock(s)\n`);
  },
};

export const repoCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'repo <command>',
  describe: 'Manage the snapshot repository: init, stats, unlock',
  builder: yargs =>
    yargs
      .command(initCommand)
      .command(statsCommand)
      .command(unlockCommand)
      .demandCommand(1, 'name a repo command: init, stats or unlock'),
  handler: () => undefined,
};
