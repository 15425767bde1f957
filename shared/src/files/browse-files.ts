import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors';
import type { Snapshot } from '../snapshot/types';
import { LineSplitter } from '../volumes/restic-output';
import { parseLsLine, type FileEntry } from './file-entry';
import type { ResticReader } from './restic-reader';
import { volumeAt, type VolumeAtSnapshot } from './volume-at';
import { volumePath } from './volume-path';

/**
 * What is at a path of a volume in a snapshot: a folder's entries (with `recursive`, all
 * below it), or the file itself. A path the snapshot does not hold is a not-found error.
 */
export async function listFiles(
  reader: ResticReader,
  volume: VolumeAtSnapshot,
  path: string,
  options: { recursive?: boolean; onEntry?: (count: number) => void } = {},
): Promise<FileEntry[]> {
  const at = volumePath(path);
  const entries = await lsEntries(reader, volume, at, options);
  const self = entries.find(entry => entry.path === at);
  if (at !== '/' && !self) throw missing(volume, at);
  return self?.type === 'file' ? [self] : entries.filter(entry => entry.path !== at);
}

/** The entry at a path, or undefined when the snapshot does not hold it. */
export async function statPath(
  reader: ResticReader,
  volume: VolumeAtSnapshot,
  path: string,
): Promise<FileEntry | undefined> {
  const at = volumePath(path);
  if (at === '/')
    return {
      path: '/',
      name: '',
      type: 'dir',
      permissions: 'd?',
      uid: 0,
      gid: 0,
      mtime: volume.time,
    };
  return (await lsEntries(reader, volume, at, {})).find(entry => entry.path === at);
}

/**
 * Writes a path's content into `out`: a file's bytes, or a folder as a tar stream (names
 * inside the folder, with owners, modes and times). `onEntry` learns what it is first
 * (its size, whether it is a folder). Returns the entry.
 */
export async function copyOut(
  reader: ResticReader,
  volume: VolumeAtSnapshot,
  path: string,
  out: Writable,
  onEntry?: (entry: FileEntry) => void | Promise<void>,
): Promise<FileEntry> {
  const at = volumePath(path);
  const entry = await statPath(reader, volume, at);
  if (!entry || !volume.resticSnapshotId) throw missing(volume, at);
  if (entry.type !== 'file' && entry.type !== 'dir') {
    throw new UserError('invalid-argument', `${at} is a ${entry.type}, not a file or folder`);
  }
  await onEntry?.(entry);
  await reader.run(['dump', volume.resticSnapshotId, at], out);
  return entry;
}

/** One state of a path, held by consecutive snapshots. */
export interface FileVersion {
  /** The first snapshot (oldest) holding this state, and when it was taken. */
  since: { snapshotId: string; time: string };
  /** The last snapshot holding it before it changed (or the newest). */
  until: { snapshotId: string; time: string };
  /** How many snapshots hold this state. */
  snapshots: number;
  /** Absent: the path did not exist in these snapshots. */
  present: boolean;
  entry?: FileEntry;
  /** SHA-256 of a file's content. */
  sha256?: string;
}

/**
 * The versions of a path across the snapshots holding the claim's data, oldest first,
 * collapsed to the points where it changed (content, type, mode, owner; a folder also by
 * its modification time), including the stretches where it did not exist.
 */
export async function fileHistory(
  reader: ResticReader,
  snapshots: Snapshot[],
  namespace: string,
  claim: string,
  path: string,
  onProgress?: (done: number, total: number) => void,
): Promise<FileVersion[]> {
  const at = volumePath(path);
  const volumes = snapshots
    .filter(snapshot =>
      snapshot.volumes.some(
        v => v.namespace === namespace && v.claim === claim && v.data?.status === 'captured',
      ),
    )
    .sort((a, b) => a.time.localeCompare(b.time))
    .map(snapshot => volumeAt(snapshot, namespace, claim));
  if (volumes.length === 0) {
    throw new UserError('not-found', `no snapshot holds data of ${namespace}/${claim}`);
  }
  const versions: Array<FileVersion & { key: string }> = [];
  for (const [index, volume] of volumes.entries()) {
    onProgress?.(index, volumes.length);
    const entry = volume.resticSnapshotId ? await statPath(reader, volume, at) : undefined;
    const sha256 = entry?.type === 'file' ? await contentHash(reader, volume, at) : undefined;
    const key = entry
      ? [entry.type, sha256 ?? entry.mtime, entry.permissions, entry.uid, entry.gid].join(' ')
      : 'absent';
    const point = { snapshotId: volume.snapshotId, time: volume.time };
    const last = versions[versions.length - 1];
    if (last?.key === key) {
      last.until = point;
      last.snapshots++;
    } else {
      versions.push({
        key,
        since: point,
        until: point,
        snapshots: 1,
        present: entry !== undefined,
        ...(entry ? { entry } : {}),
        ...(sha256 ? { sha256 } : {}),
      });
    }
  }
  onProgress?.(volumes.length, volumes.length);
  if (!versions.some(version => version.present)) {
    throw new UserError(
      'not-found',
      `no snapshot of ${namespace}/${claim} holds ${at} (${volumes.length} looked at)`,
    );
  }
  return versions.map(({ key: _key, ...version }) => version);
}

async function contentHash(
  reader: ResticReader,
  volume: VolumeAtSnapshot,
  path: string,
): Promise<string> {
  const hash = createHash('sha256');
  await reader.run(
    ['dump', volume.resticSnapshotId!, path],
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback();
      },
    }),
  );
  return hash.digest('hex');
}

async function lsEntries(
  reader: ResticReader,
  volume: VolumeAtSnapshot,
  at: string,
  options: { recursive?: boolean; onEntry?: (count: number) => void },
): Promise<FileEntry[]> {
  if (!volume.resticSnapshotId) return [];
  const entries: FileEntry[] = [];
  const lines = new LineSplitter();
  const text = new StringDecoder('utf8');
  const onLine = (line: string) => {
    const entry = parseLsLine(line);
    if (!entry) return;
    entries.push(entry);
    options.onEntry?.(entries.length);
  };
  await reader.run(
    ['ls', '--json', ...(options.recursive ? ['--recursive'] : []), volume.resticSnapshotId, at],
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(text.write(chunk), onLine);
        callback();
      },
    }),
  );
  lines.end(onLine);
  return entries;
}

function missing(volume: VolumeAtSnapshot, at: string): UserError {
  return new UserError(
    'not-found',
    `${volume.namespace}/${volume.claim} holds no ${at} in snapshot ${volume.snapshotId.slice(0, 8)}`,
  );
}
