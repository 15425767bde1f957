import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Snapshot } from '../snapshot/types';
import { copyOut, fileHistory, listFiles } from './browse-files';
import { openResticReader, type ResticReader } from './restic-reader';
import { volumeAt } from './volume-at';

/** Browsing a claim's data with the real restic over a repository made here. */
const PASSWORD = 'volume-data-password';
let dir: string;
let reader: ResticReader;
const snapshots: Snapshot[] = [];

function backup(data: string, id: string, time: string): void {
  const env = {
    ...process.env,
    RESTIC_REPOSITORY: join(dir, 'volumes'),
    RESTIC_PASSWORD: PASSWORD,
  };
  const out = execFileSync('restic', ['backup', '.', '--json', '-q'], { cwd: data, env });
  const summary = JSON.parse(out.toString().trim().split('\n').pop()!) as { snapshot_id: string };
  snapshots.push({
    id,
    time,
    volumes: [
      {
        namespace: 'shop',
        claim: 'data',
        dataSnapshotId: summary.snapshot_id,
        data: { status: 'captured' },
      },
    ],
  } as unknown as Snapshot);
}

async function collect(run: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await run(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-backup-files-'));
  execFileSync('restic', ['init', '-q'], {
    env: { ...process.env, RESTIC_REPOSITORY: join(dir, 'volumes'), RESTIC_PASSWORD: PASSWORD },
  });
  const data = join(dir, 'data');
  await mkdir(join(data, 'conf', 'nested'), { recursive: true });
  await writeFile(join(data, 'conf', 'app.yaml'), 'replicas: 1\n', { mode: 0o640 });
  await writeFile(join(data, 'conf', 'nested', 'deep.txt'), 'deep\n');
  await writeFile(join(data, 'notes.txt'), 'first\n');
  await utimes(
    join(data, 'conf', 'app.yaml'),
    new Date('2026-01-02T03:04:05Z'),
    new Date('2026-01-02T03:04:05Z'),
  );
  backup(data, 'a'.repeat(64), '2026-11-01T00:00:00Z');
  backup(data, 'b'.repeat(64), '2026-11-02T00:00:00Z');
  await writeFile(join(data, 'conf', 'app.yaml'), 'replicas: 3\n');
  await rm(join(data, 'notes.txt'));
  backup(data, 'c'.repeat(64), '2026-11-03T00:00:00Z');
  reader = await openResticReader({
    repository: { backend: undefined as never, volumeDataPassword: () => PASSWORD },
    settings: { location: `file://${dir}` },
    via: 'local',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('lists a folder with sizes, modes and times, and everything below it with recursive', async () => {
  const volume = volumeAt(snapshots[0], 'shop', 'data');
  const conf = await listFiles(reader, volume, 'conf');
  expect(conf.map(entry => entry.path)).toEqual(['/conf/app.yaml', '/conf/nested']);
  expect(conf[0]).toMatchObject({
    type: 'file',
    size: 12,
    permissions: '-rw-r-----',
    mtime: expect.stringMatching(/^2026-01-02T03:04:05/),
  });
  const all = await listFiles(reader, volume, '/', { recursive: true });
  expect(all.map(entry => entry.path)).toContain('/conf/nested/deep.txt');
  await expect(listFiles(reader, volume, '/missing')).rejects.toThrow(
    /holds no \/missing in snapshot aaaaaaaa/,
  );
});

it("copies out a file's bytes and a folder as a tar stream", async () => {
  const volume = volumeAt(snapshots[2], 'shop', 'data');
  const file = await collect(out => copyOut(reader, volume, '/conf/app.yaml', out));
  expect(file.toString()).toBe('replicas: 3\n');
  const tar = join(dir, 'conf.tar');
  await writeFile(tar, await collect(out => copyOut(reader, volume, '/conf', out)));
  expect(execFileSync('tar', ['-tf', tar]).toString().split('\n').filter(Boolean).sort()).toEqual([
    'conf/app.yaml',
    'conf/nested/',
    'conf/nested/deep.txt',
  ]);
});

it('collapses a path’s history to where it changed, including where it was gone', async () => {
  const changed = await fileHistory(reader, snapshots, 'shop', 'data', '/conf/app.yaml');
  expect(changed.map(v => [v.since.snapshotId[0], v.until.snapshotId[0], v.entry?.size])).toEqual([
    ['a', 'b', 12],
    ['c', 'c', 12],
  ]);
  expect(changed[0].sha256).not.toBe(changed[1].sha256);
  const deleted = await fileHistory(reader, snapshots, 'shop', 'data', 'notes.txt');
  expect(deleted.map(v => [v.present, v.snapshots])).toEqual([
    [true, 2],
    [false, 1],
  ]);
  await expect(fileHistory(reader, snapshots, 'shop', 'data', '/never')).rejects.toThrow(
    /no snapshot of shop\/data holds \/never/,
  );
});
