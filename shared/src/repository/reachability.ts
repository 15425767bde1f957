/*
 * What snapshots reach: their record lists and the object blobs those lists name. Verify
 * checks exactly this set and prune keeps exactly this set, so both walk it here.
 */
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import { mapConcurrent } from '../util/limiter';
import type { BlobRead, BlobStore } from './blob-store';

/** Each record list of the snapshots, with the ids of the snapshots using it, in order. */
export function recordListUsers(snapshots: readonly Snapshot[]): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const snapshot of snapshots) {
    for (const list of new Set(snapshot.recordLists ?? [])) {
      const users = lists.get(list) ?? [];
      users.push(snapshot.id);
      lists.set(list, users);
    }
  }
  return lists;
}

/** Why a record list could not be walked: its blob's state, or not a list of records. */
export type UnreadableList = Exclude<BlobRead, { status: 'ok' }> | { status: 'not-records' };

export interface WalkOptions {
  /** Record lists in flight at once. */
  concurrency: number;
  /** Called for each unreadable list; throwing stops the walk. */
  onUnreadable: (list: string, users: string[], why: UnreadableList) => void;
  /** Called after each list, with how many are done. */
  onList?: (done: number, total: number) => void;
}

export interface Reachable {
  /** Record lists that were read. */
  lists: string[];
  /** Object blobs those lists name. */
  contents: Set<string>;
  /** Stored bytes read. */
  bytesRead: number;
}

/** Reads every record list and collects the object blobs they name. */
export async function walkRecordLists(
  blobs: BlobStore,
  lists: Map<string, string[]>,
  options: WalkOptions,
): Promise<Reachable> {
  const reachable: Reachable = { lists: [], contents: new Set(), bytesRead: 0 };
  let done = 0;
  await mapConcurrent([...lists], options.concurrency, async ([list, users]) => {
    const read = await blobs.read(list);
    if (read.status !== 'ok') {
      options.onUnreadable(list, users, read);
    } else {
      reachable.bytesRead += read.stored;
      const records = parseRecords(read.data);
      if (!records) {
        options.onUnreadable(list, users, { status: 'not-records' });
      } else {
        reachable.lists.push(list);
        for (const record of records)
          if (typeof record.content === 'string') reachable.contents.add(record.content);
      }
    }
    options.onList?.(++done, lists.size);
  });
  return reachable;
}

export function parseRecords(data: Buffer): ObjectRecord[] | undefined {
  try {
    const value = JSON.parse(data.toString('utf8')) as unknown;
    return Array.isArray(value) ? (value as ObjectRecord[]) : undefined;
  } catch {
    return undefined;
  }
}
