import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { annotateCommand } from './commands/annotate';
import { createCommand } from './commands/create';
import { deleteCommand } from './commands/delete';
import { describeCommand } from './commands/describe';
import { getCommand } from './commands/get';
import { hydrateCommand } from './commands/hydrate';
import { listCommand } from './commands/list';
import { pruneCommand } from './commands/prune';
import { repoCommand } from './commands/repo';
import { restoreCommand } from './commands/restore';
import { verifyCommand } from './commands/verify';
import { errorLine } from './cli/fail';
import { withGlobalOptions } from './cli/global-options';
import { closeSession } from './cli/session';

const VERSION = '0.1.0';

async function main(): Promise<void> {
  const cli = withGlobalOptions(yargs(hideBin(process.argv)))
    .scriptName('kubectl backup')
    .usage(
      'kubectl backup: back up, restore and hydrate Kubernetes applications.\n\nUsage: kubectl backup <command> [options]',
    )
    .command(annotateCommand)
    .command(createCommand)
    .command(listCommand)
    .command(describeCommand)
    .command(getCommand)
    .command(restoreCommand)
    .command(hydrateCommand)
    .command(verifyCommand)
    .command(deleteCommand)
    .command(pruneCommand)
    .command(repoCommand)
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .epilogue('Run "kubectl backup <command> --help" for a command\'s options.')
    .fail(false);
  try {
    await cli.parseAsync();
  } catch (error) {
    process.stderr.write(`error: ${errorLine(error)}\n`);
    process.exitCode = 1;
  } finally {
    await closeSession();
  }
}

void main();
