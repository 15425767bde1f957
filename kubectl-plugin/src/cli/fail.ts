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

/** The flags that fix what core reports by code (core never names flags). */
const ADVICE: Record<string, string> = {
  'volume-repository-unreachable':
    "give --repository-node-path (where the cluster's nodes mount the repository's folder), use an s3:// repository, or leave volume data out with --volumes none",
};

/** An error's one line, with what to do about it where the CLI knows. */
export function errorLine(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const advice = typeof code === 'string' ? ADVICE[code] : undefined;
  return advice ? `${oneLine(error)}; ${advice}` : oneLine(error);
}
