import { ServiceUnavailableError } from '@backstage/errors';
import { UserError, type UserErrorCode } from '@kube-backup/core';
import { toBackstageError } from './errors';

// The status each core error reaches the portal with, as Backstage's error handler sets it
// from the error's name.
const STATUS: Record<string, number> = {
  InputError: 400,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  ServiceUnavailableError: 503,
  Error: 500,
};

describe('core errors as the portal answers them', () => {
  it.each<[UserErrorCode, number]>([
    ['invalid-argument', 400],
    ['ambiguous', 400],
    ['forbidden', 403],
    ['protected-namespace', 403],
    ['not-found', 404],
    ['conflict', 409],
    ['repository-exists', 409],
    ['wrong-password', 503],
    ['repository-missing', 503],
    ['repository-locked', 503],
    ['cluster-unreachable', 503],
    ['unauthorized', 503],
    ['corrupt', 500],
    ['partial-failure', 500],
  ])('%s → %i, with core’s words kept', (code, status) => {
    const mapped = toBackstageError(new UserError(code, 'what core said')) as Error;
    expect(STATUS[mapped.name]).toBe(status);
    expect(mapped.message.startsWith('what core said')).toBe(true);
  });

  it('says what to do when the backend’s own repository password is wrong', () => {
    const mapped = toBackstageError(new UserError('wrong-password', 'wrong repository password'));
    expect(mapped).toBeInstanceOf(ServiceUnavailableError);
    expect((mapped as Error).message).toBe(
      "wrong repository password: kubeBackup.repository.password in the backend's config does not open the snapshot repository; an administrator must correct it",
    );
  });

  it('leaves errors that are not core’s as they are', () => {
    const error = new TypeError('a bug');
    expect(toBackstageError(error)).toBe(error);
  });
});
