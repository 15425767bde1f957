import { UserError } from '../errors';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import { mapConcurrent } from '../util/limiter';
import type { BlobRead } from './blob-store';
import { isId } from './layout';
import type { RepositoryParts, RepositoryProgress } from './parts';
import {
  parseRecords,
  recordListUsers,
  walkRecordLists,
  type UnreadableList,
} from './reachability';

export interface ObjectRef {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface VerifyReference {
  snapshotId: string;
  /** The record list holding the object, for object blobs. */
  recordList?: string;
  object?: ObjectRef;
}

export interface VerifyProblem {
  /** missing: no file; corrupt: fails authentication, decompression, its id, or does not parse. */
  problem: 'missing' | 'corrupt';
  what: 'snapshot' | 'record-list' | 'object';
  /** Blob id, or snapshot id for snapshot documents. */
  id: string;
  /** One line, e.g. `object blob 3fa1…: content does not match its id`. */
  message: string;
  referencedBy: VerifyReference[];
}

export interface VerifyOptions {
  /** Only this snapshot (id, unique prefix or `latest`); every snapshot by default. */
  snapshotId?: string;
  onProgress?: (progress: RepositoryProgress) => void;
  /** Take a shared lock so prune cannot remove data while it is checked. Default true. */
  lock?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  snapshots: number;
  recordLists: number;
  /** Distinct object blobs checked. */
  objects: number;
  /** Stored bytes read and checked. */
  bytesRead: number;
  problems: VerifyProblem[];
  /** Blobs no snapshot refers to (prune removes them); only counted when checking everything. */
  unreferencedBlobs?: number;
  durationMs: number;
}

/**
 * Re-reads every blob reachable from the snapshots (or from one snapshot), checks that it
 * decrypts, decompresses and hashes to its id, and names every missing or corrupt one with
 * the snapshots and objects that refer to it.
 */
export async function verifyRepository(
  parts: RepositoryParts,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const started = Date.now();
  const progress = (phase: RepositoryProgress['phase'], done: number, total?: number) =>
    options.onProgress?.({ operation: 'verify', phase, done, total });
  const lock = options.lock === false ? undefined : await parts.lock('shared', 'verify');
  try {
    const problems: VerifyProblem[] = [];

    progress('snapshots', 0);
    const snapshots = await snapshotsToVerify(parts, options.snapshotId, problems);
    progress('snapshots', snapshots.length, snapshots.length);

    const lists = recordListUsers(snapshots);
    progress('record-lists', 0, lists.size);
    const reachable = await walkRecordLists(parts.blobs, lists, {
      concurrency: parts.concurrency,
      onUnreadable: (list, users, why) =>
        problems.push(
          listProblem(
            list,
            users.map(snapshotId => ({ snapshotId })),
            why,
          ),
        ),
      onList: (done, total) => progress('record-lists', done, total),
    });
    const { contents } = reachable;
    let bytesRead = reachable.bytesRead;

    const bad = new Map<string, BlobRead>();
    let blobsDone = 0;
    progress('blobs', 0, contents.size);
    await mapConcurrent([...contents], parts.concurrency, async id => {
      const read = await parts.blobs.read(id);
      if (read.status === 'ok') bytesRead += read.stored;
      else bad.set(id, read);
      blobsDone++;
      if (blobsDone % 100 === 0 || blobsDone === contents.size)
        progress('blobs', blobsDone, contents.size);
    });

    if (bad.size > 0) {
      // Second pass, only when something is wrong: who refers to each bad blob.
      const refs = await referrers(parts, reachable.lists, lists, bad);
      for (const [id, read] of bad) {
        problems.push(blobProblem('object', id, read, refs.get(id) ?? []));
      }
    }

    let unreferencedBlobs: number | undefined;
    if (!options.snapshotId) {
      const referenced = new Set([...lists.keys(), ...contents]);
      unreferencedBlobs = 0;
      for await (const blob of parts.blobs.stored())
        if (!referenced.has(blob.id)) unreferencedBlobs++;
    }

    return {
      ok: problems.length === 0,
      snapshots: snapshots.length,
      recordLists: lists.size,
      objects: contents.size,
      bytesRead,
      problems,
      unreferencedBlobs,
      durationMs: Date.now() - started,
    };
  } finally {
    await lock?.release();
  }
}

/** The snapshots to check; unreadable snapshot documents become problems. */
async function snapshotsToVerify(
  parts: RepositoryParts,
  ref: string | undefined,
  problems: VerifyProblem[],
): Promise<Snapshot[]> {
  if (!ref) {
    return parts.snapshots.list({
      onError: (id, error) =>
        problems.push({
          problem: error.code === 'not-found' ? 'missing' : 'corrupt',
          what: 'snapshot',
          id,
          message: error.message,
          referencedBy: [],
        }),
    });
  }
  const id = isId(ref) ? ref : await parts.snapshots.resolveId(ref);
  try {
    return [await parts.snapshots.get(id)];
  } catch (error) {
    if (!(error instanceof UserError) || error.code !== 'corrupt') throw error;
    problems.push({
      problem: 'corrupt',
      what: 'snapshot',
      id,
      message: error.message,
      referencedBy: [],
    });
    return [];
  }
}

/** For each bad blob, the objects (and their snapshots) whose records name it. */
async function referrers(
  parts: RepositoryParts,
  goodLists: string[],
  lists: Map<string, string[]>,
  bad: Map<string, BlobRead>,
): Promise<Map<string, VerifyReference[]>> {
  const refs = new Map<string, VerifyReference[]>();
  await mapConcurrent(goodLists, parts.concurrency, async list => {
    const read = await parts.blobs.read(list);
    if (read.status !== 'ok') return;
    for (const record of parseRecords(read.data) ?? []) {
      if (typeof record.content !== 'string' || !bad.has(record.content)) continue;
      const found = refs.get(record.content) ?? [];
      for (const snapshotId of lists.get(list) ?? []) {
        found.push({ snapshotId, recordList: list, object: objectRef(record) });
      }
      refs.set(record.content, found);
    }
  });
  return refs;
}

function listProblem(
  list: string,
  referencedBy: VerifyReference[],
  why: UnreadableList,
): VerifyProblem {
  if (why.status !== 'not-records') return blobProblem('record-list', list, why, referencedBy);
  return {
    problem: 'corrupt',
    what: 'record-list',
    id: list,
    message: `record list ${list} is not a JSON array of records`,
    referencedBy,
  };
}

function objectRef(record: ObjectRecord): ObjectRef {
  return { group: record.group, kind: record.kind, namespace: record.namespace, name: record.name };
}

function describeObject(ref: ObjectRef): string {
  const kind = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  return `${kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function blobProblem(
  what: 'record-list' | 'object',
  id: string,
  read: BlobRead,
  referencedBy: VerifyReference[],
): VerifyProblem {
  const label = what === 'record-list' ? 'record list' : 'object blob';
  const first = referencedBy.find(r => r.object);
  const used = first?.object
    ? ` (${describeObject(first.object)} in snapshot ${first.snapshotId.slice(0, 8)}${referencedBy.length > 1 ? ` and ${referencedBy.length - 1} more` : ''})`
    : referencedBy.length > 0
      ? ` (snapshot ${referencedBy[0].snapshotId.slice(0, 8)}${referencedBy.length > 1 ? ` and ${referencedBy.length - 1} more` : ''})`
      : '';
  if (read.status === 'missing') {
    return {
      problem: 'missing',
      what,
      id,
      message: `${label} ${id} is missing${used}`,
      referencedBy,
    };
  }
  const reason = read.status === 'corrupt' ? read.reason : 'unreadable';
  return {
    problem: 'corrupt',
    what,
    id,
    message: `${label} ${id} is corrupt: ${reason}${used}`,
    referencedBy,
  };
}
