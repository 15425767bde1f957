import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { annotateCommand } from './commands/annotate';
import { createCommand } from './commands/create';
import { deleteCommand } from './commands/delete';
import { describeCommand } from './commands/describe';
import { filesCommand } from './commands/files';
import { getCommand } from './commands/get';
import { hydrateCommand } from './commands/hydrate';
import { listCommand } from './commands/list';
import { pruneCommand } from './commands/prune';
import { repoCommand } from './commands/repo';
import { restoreCommand } from './commands/restore';
import { verifyCommand } from './commands/verify';
import { adviseOn } from './cli/advice';
import { keepDashValues } from './cli/dash-values';
import { oneLine } from './cli/fail';
import { withGlobalOptions } from './cli/global-options';
import { closeSession } from './cli/session';
// The release version, set for every package in one place (scripts/set-version.mjs).
import { version as VERSION } from '../package.json';

async function main(): Promise<void> {
  const cli = withGlobalOptions(yargs(keepDashValues(hideBin(process.argv), ['to'])))
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
    .command(filesCommand)
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
    process.stderr.write(`error: ${oneLine(adviseOn(error))}\n`);
    process.exitCode = 1;
  } finally {
    await closeSession();
  }
}

void main();
