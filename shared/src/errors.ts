/**
 * Errors core raises for conditions a user can act on. The CLI prints `message` as one
 * line; `code` lets callers (and tests) tell the cases apart without parsing text, and
 * `details` carries the facts a caller needs to advise (which namespace was refused…).
 */
export type UserErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'ambiguous'
  | 'repository-missing'
  | 'repository-exists'
  | 'wrong-password'
  | 'repository-locked'
  | 'corrupt'
  | 'cluster-unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'protected-namespace'
  | 'privileged-content'
  | 'permission-missing'
  | 'partial-failure'
  | 'volume-repository-unreachable'
  | 'tool-missing'
  | 'volume-data-error';

export interface UserErrorDetails {
  /** The namespace a refusal is about. */
  namespace?: string;
  /** The objects an error is about, as `Kind namespace/name`. */
  objects?: string[];
  /** How long the caller waited before giving up (a repository lock). */
  waitedMs?: number;
  /** A storage class the target lacks. */
  storageClass?: string;
  /**
   * The caller's input an error is about, in core's own terms, so each caller can name its
   * own way to give it (the CLI a flag, the portal a field); core never names either.
   */
  input?: UserErrorInput;
}

/** Inputs core's options take that an error can ask the caller to give or narrow. */
export type UserErrorInput =
  'context' | 'components' | 'sourceNamespace' | 'labelSelector' | 'namespace' | 'exclude';

export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly details: UserErrorDetails = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
}
