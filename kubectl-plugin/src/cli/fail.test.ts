import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, type UserErrorCode } from '@kube-backup/core';
import { adviseOn } from './advice';
import { EXIT_CODES, exitCodeOf, isExpected, UsageError } from './fail';

describe('exit codes', () => {
  it('are the ones the README documents, for every one of core’s error codes', async () => {
    const readme = await readFile(join(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Exit codes'));
    const documented: Record<string, number> = {};
    for (const row of section.split('\n').filter(line => /^\| \d+ /.test(line))) {
      const exitCode = Number(/^\| (\d+) /.exec(row)![1]);
      for (const [, code] of row.split('|')[3].matchAll(/`([a-z-]+)`/g)) {
        documented[code] = exitCode;
      }
    }
    expect(documented).toEqual(EXIT_CODES);
  });

  it('follow the code through the advice the CLI adds', () => {
    const locked = new UserError('repository-locked', 'repository is locked by prune', {
      waitedMs: 1000,
    });
    const advised = adviseOn(locked);
    expect((advised as Error).message).toBe(
      'repository is locked by prune; wait longer with --lock-wait, or remove a lock whose process is gone with kubectl backup repo unlock',
    );
    expect(exitCodeOf(advised)).toBe(6);
    expect(isExpected(advised)).toBe(true);
  });

  it('give bad input and unexpected errors 1; only the unexpected ones are unforeseen', () => {
    expect(exitCodeOf(new UsageError('--replicas must be…'))).toBe(1);
    expect(isExpected(new UsageError('--replicas must be…'))).toBe(true);
    expect(exitCodeOf(new TypeError('x is undefined'))).toBe(1);
    expect(isExpected(new TypeError('x is undefined'))).toBe(false);
  });

  it("treat the API server's refusals core passes on by their status", async () => {
    const { KubeApiError } = await import('@kube-backup/core');
    const answer = (status: number) => new KubeApiError(status, 'Reason', `status ${status}`);
    expect([404, 403, 401, 409, 422, 503].map(status => exitCodeOf(answer(status)))).toEqual([
      3, 5, 5, 6, 1, 7,
    ]);
    expect(isExpected(answer(404))).toBe(true);
  });
});

describe('advice', () => {
  it.each<[UserErrorCode, UserError['details'], string]>([
    ['invalid-argument', { input: 'context' }, 'pass --context'],
    ['ambiguous', { input: 'sourceNamespace' }, 'choose one with --from'],
    ['ambiguous', { input: 'namespace' }, 'pass -n'],
    ['invalid-argument', { input: 'labelSelector' }, 'give the selector with -l'],
    ['repository-missing', {}, 'create one with kubectl backup repo init'],
  ])('names the flag for %s about %j; core names none', (code, details, hint) => {
    const message = (adviseOn(new UserError(code, 'the fact', details)) as Error).message;
    expect(message.startsWith(`the fact; ${hint}`)).toBe(true);
  });

  it('leaves an error it has nothing to add to as it was', () => {
    expect((adviseOn(new UserError('conflict', 'the fact')) as Error).message).toBe('the fact');
    const plain = new Error('plain');
    expect(adviseOn(plain)).toBe(plain);
  });
});
