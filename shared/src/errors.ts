/**
 * Errors core raises for conditions a user can act on. The CLI prints `message` as one
 * line; `code` lets callers (and tests) tell the cases apart without parsing text.
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
  | 'partial-failure'
  | 'volume-repository-unreachable'
  | 'tool-missing'
  | 'volume-data-error';

export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
