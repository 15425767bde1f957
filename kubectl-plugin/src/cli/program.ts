import yargs from 'yargs';
import { annotateCommand } from '../commands/annotate';
import { createCommand } from '../commands/create';
import { deleteCommand } from '../commands/delete';
import { describeCommand } from '../commands/describe';
import { filesCommand } from '../commands/files';
import { getCommand } from '../commands/get';
import { hydrateCommand } from '../commands/hydrate';
import { listCommand } from '../commands/list';
import { pruneCommand } from '../commands/prune';
import { repoCommand } from '../commands/repo';
import { restoreCommand } from '../commands/restore';
import { verifyCommand } from '../commands/verify';
import { adviseOn } from './advice';
import { keepDashValues } from './dash-values';
import { debugLevel } from './debug';
import { exitCodeOf, isExpected, oneLine, UsageError } from './fail';
import { withGlobalOptions } from './global-options';
import { closeSession } from './session';
// The release version, set for every package in one place (scripts/set-version.mjs).
import { version as VERSION } from '../../package.json';

/**
 * Every command, over the options they all share. `onCommandStart` runs once the arguments
 * have been parsed and checked, just before the command's handler.
 */
function program(args: string[], onCommandStart: () => void) {
  return (
    withGlobalOptions(yargs(keepDashValues(args, ['to'])))
      .middleware(onCommandStart)
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
      .fail(false)
      // --help and --version end the run by returning, so the session is closed as after any command.
      .exitProcess(false)
  );
}

/**
 * Runs `kubectl backup` with these arguments and returns the exit code of a failure (0 when
 * the command did not fail; a command that ran but did not fully succeed sets
 * process.exitCode itself). A failure is one `error:` line on stderr, with the CLI's advice;
 * an unexpected one also prints its stack when debugging is asked for (`--v=1`,
 * `KUBE_BACKUP_DEBUG=1`).
 */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // Whatever fails before a handler runs is the arguments' fault (yargs' own messages, the
  // commands' checks): a usage error however it was raised.
  let commandStarted = false;
  try {
    await program(args, () => {
      commandStarted = true;
    }).parseAsync();
    return 0;
  } catch (failure) {
    const error = commandStarted ? adviseOn(failure) : new UsageError(oneLine(failure));
    process.stderr.write(`error: ${oneLine(error)}\n`);
    if (!isExpected(error) && debugLevel(args, env) > 0 && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return exitCodeOf(error);
  } finally {
    await closeSession();
  }
}
