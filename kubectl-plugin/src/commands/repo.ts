import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/global-options';

export const repoCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'repo <command>',
  describe: 'Manage the snapshot repository',
  builder: yargs =>
    yargs
      .command<GlobalOptions>({
        command: 'init',
        describe:
          'Create a password-protected repository (location from --repository, $KUBE_BACKUP_REPOSITORY or the default)',
        handler: async argv => {
          const core = await import('@kube-backup/core');
          const settings = await core.resolveRepositorySettings({
            repository: argv.repository,
            passwordFile: argv['password-file'],
            configFile: argv.config,
            env: process.env,
          });
          await core.Repository.init(settings.location, settings.password);
          process.stdout.write(`created repository at ${settings.location}\n`);
        },
      })
      .demandCommand(1, 'name a repo command: init') as never,
  handler: () => undefined,
};
