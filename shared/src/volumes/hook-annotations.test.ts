import { UserError } from '../errors';
import { parseBackupHooks } from './hook-annotations';

describe('backup hook annotations', () => {
  it('runs a kube-backup.io text command with sh and reads its container, timeout and on-error', () => {
    expect(
      parseBackupHooks({
        'kube-backup.io/pre-backup': 'test-app pause',
        'kube-backup.io/pre-backup-container': 'app',
        'kube-backup.io/pre-backup-timeout': '1m30s',
        'kube-backup.io/pre-backup-on-error': 'Continue',
        'kube-backup.io/post-backup': '["test-app", "resume"]',
      }),
    ).toEqual([
      {
        phase: 'pre',
        source: 'kube-backup',
        command: ['/bin/sh', '-c', 'test-app pause'],
        container: 'app',
        timeoutMs: 90_000,
        onError: 'continue',
      },
      {
        phase: 'post',
        source: 'kube-backup',
        command: ['test-app', 'resume'],
        container: undefined,
        timeoutMs: 30_000,
        onError: 'fail',
      },
    ]);
  });

  it("honours Velero's annotations, with Velero's meaning of a plain string", () => {
    expect(
      parseBackupHooks({
        'pre.hook.backup.velero.io/command': '["/sbin/fsfreeze", "--freeze", "/var/lib/db"]',
        'pre.hook.backup.velero.io/container': 'db',
        'pre.hook.backup.velero.io/on-error': 'Fail',
        'pre.hook.backup.velero.io/timeout': '45s',
        'post.hook.backup.velero.io/command': '/usr/local/bin/thaw',
      }),
    ).toEqual([
      {
        phase: 'pre',
        source: 'velero',
        command: ['/sbin/fsfreeze', '--freeze', '/var/lib/db'],
        container: 'db',
        timeoutMs: 45_000,
        onError: 'fail',
      },
      {
        phase: 'post',
        source: 'velero',
        command: ['/usr/local/bin/thaw'],
        container: undefined,
        timeoutMs: 30_000,
        onError: 'fail',
      },
    ]);
  });

  it("takes kube-backup.io's hook over Velero's for the same phase, and Velero's for the other", () => {
    const hooks = parseBackupHooks({
      'kube-backup.io/pre-backup': 'sync',
      'pre.hook.backup.velero.io/command': '["velero-pre"]',
      'post.hook.backup.velero.io/command': '["velero-post"]',
    });
    expect(hooks.map(hook => [hook.phase, hook.source, hook.command.at(-1)])).toEqual([
      ['pre', 'kube-backup', 'sync'],
      ['post', 'velero', 'velero-post'],
    ]);
  });

  it('has no hooks without the annotations', () => {
    expect(parseBackupHooks(undefined)).toEqual([]);
    expect(parseBackupHooks({ 'kube-backup.io/capture': 'true' })).toEqual([]);
  });

  it.each([
    [{ 'kube-backup.io/pre-backup': '["sync", 3]' }, /pre-backup must be a JSON array of strings/],
    [{ 'kube-backup.io/pre-backup': '[not json' }, /pre-backup must be a JSON array/],
    [{ 'kube-backup.io/post-backup': '  ' }, /post-backup is empty/],
    [
      { 'kube-backup.io/pre-backup': 'sync', 'kube-backup.io/pre-backup-on-error': 'ignore' },
      /pre-backup-on-error is "ignore"; use fail or continue/,
    ],
    [
      { 'pre.hook.backup.velero.io/command': 'x', 'pre.hook.backup.velero.io/timeout': 'soon' },
      /pre.hook.backup.velero.io\/timeout "soon" is not a duration/,
    ],
  ])('names the annotation it cannot use: %j', (annotations, message) => {
    expect(() => parseBackupHooks(annotations)).toThrow(UserError);
    expect(() => parseBackupHooks(annotations)).toThrow(message);
  });
});
