import type { UserError, UserErrorCode, UserErrorInput } from '@kube-backup/core';

/**
 * What to tell the user about an error, by its code: core states the facts, the CLI knows
 * its own flags and commands. An entry returns undefined when it has nothing to add.
 */
export type Advice = Partial<Record<UserErrorCode, (error: UserError) => string | undefined>>;

/** How to give each input core may ask for, as this CLI's flags. */
const INPUT_ADVICE: Record<UserErrorInput, string> = {
  context: 'pass --context or set one with kubectl config use-context',
  components:
    'name the components with --entity, --tag or -l, or the namespace to copy with --from',
  sourceNamespace: 'choose one with --from',
  labelSelector: 'give the selector with -l',
  namespace: 'pass -n or a fuller kind (deployments.apps)',
  exclude: 'kubectl backup annotate --exclude keeps it out of captures',
};

/** Advice that holds for every command. */
const COMMON_ADVICE: Advice = {
  'volume-repository-unreachable': () =>
    "give --repository-node-path (where the cluster's nodes mount the repository's folder), use an s3:// repository, or leave volume data out with --volumes none",
  'repository-locked': error =>
    error.details.waitedMs !== undefined
      ? 'wait longer with --lock-wait, or remove a lock whose process is gone with kubectl backup repo unlock'
      : 'wait for it to finish, or remove a lock whose process is gone with kubectl backup repo unlock',
  'repository-missing': () => 'create one with kubectl backup repo init',
  corrupt: () => 'kubectl backup verify lists every damaged object',
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
 * was when there is no advice for it (or it is not a UserError). A command's own advice
 * comes first, then what holds everywhere, then how to give the input the error names.
 */
export function adviseOn(error: unknown, advice: Advice = {}): unknown {
  if (!isUserError(error) || error instanceof AdvisedError) return error;
  const hint =
    advice[error.code]?.(error) ??
    COMMON_ADVICE[error.code]?.(error) ??
    (error.details.input && INPUT_ADVICE[error.details.input]);
  return new AdvisedError(error, hint);
}

/** A UserError with the CLI's advice in its message; its code still decides the exit code. */
export class AdvisedError extends Error {
  readonly code: UserErrorCode;
  readonly details: UserError['details'];
  constructor(error: UserError, hint: string | undefined) {
    super(hint ? `${error.message}; ${hint}` : error.message);
    this.name = 'UserError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** Core's UserError, known by its name and code (the bundle loads core lazily). */
export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === 'UserError' && 'code' in error;
}

/** Runs core work and advises on what it raises. */
export async function withAdvice<T>(work: Promise<T>, advice: Advice): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw adviseOn(error, advice);
  }
}
