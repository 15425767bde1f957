/** Raised by command handlers for bad input; main prints its message as one line. */
export class UsageError extends Error {}

/** Exit code for a command that ran but did not fully succeed (a partial backup, a failed restore). */
export const EXIT_PARTIAL = 2;

/** One line for the user, never a stack: yargs spreads some messages over several lines. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .split('\n')
      .map(line => line.trim())
      .filter(line => line.length > 0)
      .join(' ') || 'unexpected error'
  );
}
