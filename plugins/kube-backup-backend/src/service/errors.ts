import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { UserError, type UserErrorCode } from '@kube-backup/core';

const ADMINISTRATOR = 'an administrator must correct it';

/**
 * Core's error codes as the portal answers them: the HTTP error type (and so the status)
 * and, where the cause is the backend's own setup rather than the request, what to do.
 * Every code is listed, so a new one is a compile error until it is decided here.
 */
const BACKSTAGE_ERRORS: Record<UserErrorCode, (message: string) => Error> = {
  'invalid-argument': message => new InputError(message),
  'not-found': message => new NotFoundError(message),
  ambiguous: message => new InputError(message),
  conflict: message => new ConflictError(message),
  'repository-exists': message => new ConflictError(message),
  forbidden: message => new NotAllowedError(message),
  'protected-namespace': message => new NotAllowedError(message),
  // The portal offers no way to accept privileged content: an administrator restores it.
  'privileged-content': message => new NotAllowedError(message),
  'permission-missing': message =>
    new ServiceUnavailableError(
      `${message}: the backend's cluster credentials (kubeBackup.clusters) lack these permissions; ${ADMINISTRATOR}`,
    ),
  'wrong-password': message =>
    new ServiceUnavailableError(
      `${message}: kubeBackup.repository.password in the backend's config does not open the snapshot repository; ${ADMINISTRATOR}`,
    ),
  'repository-missing': message =>
    new ServiceUnavailableError(
      `${message} (kubeBackup.repository.location in the backend's config); ${ADMINISTRATOR}`,
    ),
  'repository-locked': message => new ServiceUnavailableError(message),
  'cluster-unreachable': message => new ServiceUnavailableError(message),
  unauthorized: message =>
    new ServiceUnavailableError(
      `${message}: the cluster refused the backend's credentials (kubeBackup.clusters); ${ADMINISTRATOR}`,
    ),
  'volume-repository-unreachable': message =>
    new ServiceUnavailableError(
      `${message} (kubeBackup.volumes.repositoryNodePath in the backend's config); ${ADMINISTRATOR}`,
    ),
  'tool-missing': message =>
    new ServiceUnavailableError(`${message} on the backend's host; ${ADMINISTRATOR}`),
  // A data mover or volume snapshot failed in the cluster: the job's log says which.
  'volume-data-error': message => new Error(message),
  // The repository's data is damaged: not the caller's doing, and not passing.
  corrupt: message => new Error(message),
  'partial-failure': message => new Error(message),
};

/** Core's UserError as the Backstage error the portal answers with; anything else as it is. */
export function toBackstageError(error: unknown): unknown {
  if (!(error instanceof UserError)) return error;
  return BACKSTAGE_ERRORS[error.code]?.(error.message) ?? new Error(error.message);
}
