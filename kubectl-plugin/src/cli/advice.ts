import type { UserError, UserErrorCode } from '@kube-backup/core';

/**
 * What to tell the user about an error, by its code: core states the facts, the CLI knows
 * its own flags and commands. An entry returns undefined when it has nothing to add.
 */
export type Advice = Partial<Record<UserErrorCode, (error: UserError) => string | undefined>>;

/** Advice that holds for every command. */
const COMMON_ADVICE: Advice = {
  'volume-repository-unreachable': () =>
    "give --repository-node-path (where the cluster's nodes mount the repository's folder), use an s3:// repository, or leave volume data out with --volumes none",
  'repository-locked': error =>
    error.details.waitedMs !== undefined
      ? 'wait longer with --lock-wait, or remove a lock whose process is gone with kubectl backup repo unlock'
      : 'wait for it to finish, or remove a lock whose process is gone with kubectl backup repo unlock',
};

/** Advice for the commands that write into a cluster: restore and hydrate. */
export const WRITE_ADVICE: Advice = {
  'privileged-content': () =>
    'review them (--dry-run flags them) and pass --accept-privileged to write them; the report records it',
  corrupt: error =>
    error.details.objects
      ? 'pass --skip-damaged to restore the rest (kubectl backup verify lists every damaged object)'
      : undefined,
  'not-found': error =>
    error.details.storageClass
      ? `map it with --storage-class-mapping ${error.details.storageClass}:<class>`
      : undefined,
};

/**
 * The error with its advice appended (`…; pass --allow-protected …`), or the error as it
 * was when there is no advice for it (or it is not a UserError).
 */
export function adviseOn(error: unknown, advice: Advice = {}): unknown {
  if (!(error instanceof Error) || error.name !== 'UserError') return error;
  const userError = error as UserError;
  const hint = (advice[userError.code] ?? COMMON_ADVICE[userError.code])?.(userError);
  return hint ? new Error(`${userError.message}; ${hint}`) : error;
}

/** Runs core work and advises on what it raises. */
export async function withAdvice<T>(work: Promise<T>, advice: Advice): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw adviseOn(error, advice);
  }
}
