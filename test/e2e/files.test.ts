import '../src/testing/symbol-dispose';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilesRestoreReport, FileVersion, Snapshot } from '@kube-backup/core';
import { appPod, claimManifest, startVolumeSuite, type VolumeSuite } from './volume-harness';

/**
 * Single files end to end with running pods: an application's volume is backed up, one
 * file is deleted and another changed in the live volume, and only the deleted one is put
 * back — with its owner, mode and time — while the changed one keeps its new content and
 * time; its history shows both versions; a folder copied out as tar matches by checksums.
 */
jest.setTimeout(300_000);

let suite: VolumeSuite;
let namespace: string;
let first: Snapshot;
let second: Snapshot;
/** `<sha256>  ./path` of every file when the first snapshot was taken. */
let sumsAtFirst: string[];

/** Owner, mode and modification time of a path in the application's volume. */
const statOf = (path: string) =>
  suite.exec(namespace, 'app', ['stat', '-c', '%u:%g %a %Y %s', path]).then(out => out.trim());
const contentOf = (path: string) => suite.exec(namespace, 'app', ['cat', path]);
const shell = (script: string) => suite.exec(namespace, 'app', ['sh', '-c', script]);

beforeAll(async () => {
  suite = await startVolumeSuite('files');
  namespace = await suite.namespace('files');
  await suite.apply(
    namespace,
    claimManifest('data', suite.cluster.storageClass),
    claimManifest('scratch', suite.cluster.storageClass),
    appPod('app', 'data'),
  );
  await suite.podPhase(namespace, 'app', 'Running');
  await shell(
    [
      'mkdir -p /data/conf /data/docs/deep',
      'echo "replicas: 1" > /data/conf/app.yaml',
      'echo "remember the milk" > /data/notes.txt',
      'chown 1000:2000 /data/notes.txt && chmod 640 /data/notes.txt',
      'touch -d "2026-03-04 05:06:07" /data/notes.txt',
      'test-app fill /data/docs 5 4096 && test-app fill /data/docs/deep 3 1000',
    ].join(' && '),
  );
  sumsAtFirst = await suite.checksums(namespace, 'data');
  first = await suite.backupAll(namespace);
});

afterAll(async () => {
  await suite?.stop();
});

it('puts back only the deleted file, as it was, and leaves the changed one alone', async () => {
  const notesBefore = await statOf('/data/notes.txt');
  await shell(
    'rm /data/notes.txt && echo "replicas: 3" > /data/conf/app.yaml && touch -d "2026-05-06 07:08:09" /data/conf/app.yaml',
  );
  const changedStat = await statOf('/data/conf/app.yaml');
  second = await suite.backupAll(namespace);

  const result = await suite.work.cli([
    'files',
    'restore',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    'notes.txt',
    '-o',
    'json',
  ]);
  expect(result.stderr).not.toMatch(/error|warning/);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as FilesRestoreReport;
  expect(report.paths).toEqual([
    expect.objectContaining({ path: '/notes.txt', outcome: 'restored', restored: 1, skipped: 0 }),
  ]);
  expect(await contentOf('/data/notes.txt')).toBe('remember the milk\n');
  expect(await statOf('/data/notes.txt')).toBe(notesBefore);
  expect(await contentOf('/data/conf/app.yaml')).toBe('replicas: 3\n');
  expect(await statOf('/data/conf/app.yaml')).toBe(changedStat);
  // Nothing of the restore is left in the volume.
  expect((await shell('ls -A /data')).split('\n').filter(Boolean).sort()).toEqual([
    'conf',
    'docs',
    'notes.txt',
  ]);
  expect(await suite.leftovers()).toEqual([]);
});

it('keeps a live file unless asked: skip, rename beside it, or overwrite', async () => {
  const restore = async (...args: string[]) => {
    const result = await suite.work.cli([
      'files',
      'restore',
      first.id,
      'pvc/data',
      '-n',
      namespace,
      'conf/app.yaml',
      ...args,
    ]);
    expect(result.code).toBe(0);
    return result.stdout;
  };
  expect(await restore()).toMatch(/\/conf\/app.yaml\s+skipped\s+0 restored, 1 skipped/);
  expect(await contentOf('/data/conf/app.yaml')).toBe('replicas: 3\n');

  await restore('--existing', 'rename');
  const suffix = `.restored-${first.id.slice(0, 8)}`;
  expect(await contentOf(`/data/conf/app.yaml${suffix}`)).toBe('replicas: 1\n');
  expect(await contentOf('/data/conf/app.yaml')).toBe('replicas: 3\n');

  await restore('--existing', 'overwrite');
  expect(await contentOf('/data/conf/app.yaml')).toBe('replicas: 1\n');
  expect(await statOf('/data/conf/app.yaml')).toBe(await statOf(`/data/conf/app.yaml${suffix}`));

  // Into another claim, under a folder of it.
  const into = await suite.work.cli([
    'files',
    'restore',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    'conf',
    '--into-claim',
    'pvc/scratch',
    '--target-path',
    '/recovered',
    '-o',
    'json',
  ]);
  expect(into.code).toBe(0);
  expect((JSON.parse(into.stdout) as FilesRestoreReport).paths[0]).toMatchObject({
    target: '/recovered/conf',
    restored: 1,
  });
  expect(await suite.read(namespace, 'scratch', ['cat', '/data/recovered/conf/app.yaml'])).toBe(
    'replicas: 1\n',
  );
});

it("lists both versions of the changed file and the deleted file's absence", async () => {
  const history = async (path: string) => {
    const result = await suite.work.cli([
      'files',
      'history',
      'pvc/data',
      '-n',
      namespace,
      path,
      '-o',
      'json',
    ]);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as FileVersion[];
  };
  const changed = await history('/conf/app.yaml');
  expect(changed.map(v => [v.since.snapshotId, v.entry?.size, v.sha256])).toEqual([
    [first.id, 12, sha256('replicas: 1\n')],
    [second.id, 12, sha256('replicas: 3\n')],
  ]);
  expect(changed[1].entry?.mtime).toMatch(/^2026-05-06T07:08:09/);
  const deleted = await history('notes.txt');
  expect(deleted.map(v => [v.since.snapshotId, v.present])).toEqual([
    [first.id, true],
    [second.id, false],
  ]);
});

it('lists a folder and copies it out as tar and as a folder, matching by checksums', async () => {
  const ls = await suite.work.cli([
    'files',
    'ls',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    '--v',
    '1',
  ]);
  expect(ls.code).toBe(0);
  expect(ls.stderr).toMatch(/reading volume data with restic on this machine/);
  expect(ls.stdout).toMatch(/-rw-r-----\s+1000:2000\s+18\s+2026-03-04T05:06:07Z\s+\/notes.txt/);
  expect(ls.stdout).toMatch(/\/docs\//);
  const recursive = await suite.work.cli([
    'files',
    'ls',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    'docs',
    '-R',
    '-o',
    'json',
  ]);
  expect((JSON.parse(recursive.stdout) as Array<{ path: string }>).map(e => e.path)).toContain(
    '/docs/deep/file-2',
  );

  const expected = sumsAtFirst
    .filter(line => line.includes('./docs/'))
    .map(line => line.replace('./docs/', './'))
    .sort(byPath);
  const tar = join(suite.work.dir, 'docs.tar');
  // Through a mover pod over exec, as where this machine cannot reach the repository.
  const get = await suite.work.cli([
    'files',
    'get',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    'docs',
    '--to',
    tar,
    '--via',
    'pod',
    '--v',
    '1',
  ]);
  expect(get.stderr).toMatch(/reading volume data with mover pod/);
  expect(get.code).toBe(0);
  const unpacked = join(suite.work.dir, 'unpacked');
  await mkdir(unpacked);
  execFileSync('tar', ['-xf', tar, '-C', unpacked]);
  expect(await checksums(join(unpacked, 'docs'))).toEqual(expected);

  const toStdout = await suite.work.cli([
    'files',
    'get',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    'notes.txt',
    '--to',
    '-',
  ]);
  expect(toStdout.stderr).not.toMatch(/error/);
  expect(toStdout.code).toBe(0);
  expect(toStdout.stdout).toBe('remember the milk\n');

  const folder = join(suite.work.dir, 'docs-folder');
  const asFolder = await suite.work.cli([
    'files',
    'get',
    first.id,
    'pvc/data',
    '-n',
    namespace,
    '/docs',
    '--to',
    folder,
  ]);
  expect(asFolder.code).toBe(0);
  expect(await checksums(folder)).toEqual(expected);
  expect(await suite.leftovers()).toEqual([]);
});

it('refuses bad input in one line with a non-zero exit', async () => {
  // Each with the exit code its kind of error has (README, Exit codes): 3 not found, 1 bad input.
  const cases: Array<[string[], RegExp, number]> = [
    [
      ['files', 'ls', first.id, 'pvc/data', '-n', namespace, '/nothing'],
      /holds no \/nothing in snapshot/,
      3,
    ],
    [['files', 'ls', first.id, 'pvc/other', '-n', namespace], /has no claim .*\/other/, 3],
    [['files', 'get', first.id, 'deploy/x', '-n', namespace, 'a'], /is not a claim/, 1],
    [['files', 'restore', first.id, 'pvc/data', '-n', namespace, '../etc'], /leaves the volume/, 1],
    [
      ['files', 'restore', first.id, 'pvc/data', '-n', namespace, 'conf', 'conf/app.yaml'],
      /inside \/conf/,
      1,
    ],
    [
      [
        'files',
        'restore',
        first.id,
        'pvc/data',
        '-n',
        namespace,
        'notes.txt',
        '--into-claim',
        'pvc/missing',
      ],
      /claim .*\/missing does not exist/,
      3,
    ],
    [
      ['files', 'get', first.id, 'pvc/data', '-n', namespace, 'notes.txt', '--to', suite.work.dir],
      /exists; choose another --to/,
      1,
    ],
  ];
  for (const [args, message, code] of cases) {
    const result = await suite.work.cli(args);
    expect({ args, code: result.code }).toEqual({ args, code });
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
  }
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `<sha256>  ./path` of every file under a folder, sorted by path, as the test app prints them. */
async function checksums(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter(f =>
    f.isFile(),
  );
  const lines = await Promise.all(
    files.map(async file => {
      const path = join(file.parentPath, file.name);
      return `${createHash('sha256')
        .update(await readFile(path))
        .digest('hex')}  ./${path.slice(dir.length + 1)}`;
    }),
  );
  return lines.sort(byPath);
}

function byPath(a: string, b: string): number {
  return a.slice(66) < b.slice(66) ? -1 : a.slice(66) > b.slice(66) ? 1 : 0;
}
