import type { UserErrorCode } from '@kube-backup/core';
import { isUserError } from './advice';

/** Raised by command handlers for bad input; main prints its message as one line. */
export class UsageError extends Error {}

/** Exit code for bad input, and for an error nobody foresaw (a defect: `--v` shows where). */
export const EXIT_ERROR = 1;

/** Exit code for a command that ran but did not fully succeed (a partial backup, a failed restore). */
export const EXIT_PARTIAL = 2;

/**
 * The exit code of each of core's error codes, so scripts can tell a refusal from a missing
 * snapshot or a busy repository without reading the message. The README's table is this one.
 * Every code is listed, so a new one does not compile until it has an exit code.
 */
export const EXIT_CODES: Record<UserErrorCode, number> = {
  'invalid-argument': EXIT_ERROR,
  ambiguous: EXIT_ERROR,
  'partial-failure': EXIT_PARTIAL,
  'not-found': 3,
  'repository-missing': 3,
  'protected-namespace': 4,
  'privileged-content': 4,
  'wrong-password': 5,
  unauthorized: 5,
  forbidden: 5,
  'permission-missing': 5,
  'repository-locked': 6,
  'repository-exists': 6,
  conflict: 6,
  'cluster-unreachable': 7,
  'volume-repository-unreachable': 7,
  'tool-missing': 7,
  corrupt: 8,
  'volume-data-error': 8,
};

/** The exit code a failed command ends with. */
export function exitCodeOf(error: unknown): number {
  const code = isUserError(error) ? error.code : apiErrorCode(error);
  return code ? (EXIT_CODES[code] ?? EXIT_ERROR) : EXIT_ERROR;
}

/**
 * Whether an error is the user's to fix (bad input, a condition core names, the API server's
 * refusal): those are one line. Anything else is unexpected, and `--v` prints its stack.
 */
export function isExpected(error: unknown): boolean {
  return isUserError(error) || error instanceof UsageError || apiErrorCode(error) !== undefined;
}

/**
 * What an answer of the API server that core passed on as it is (core's KubeApiError, known
 * by its name and status) means for the exit code.
 */
function apiErrorCode(error: unknown): UserErrorCode | undefined {
  if (!(error instanceof Error) || error.name !== 'KubeApiError' || !('status' in error)) {
    return undefined;
  }
  const status = Number(error.status);
  if (status === 404) return 'not-found';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid-argument';
  return status >= 500 || status === 429 ? 'cluster-unreachable' : undefined;
}

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
