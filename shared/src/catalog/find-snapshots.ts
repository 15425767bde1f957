import { UserError } from '../errors';
import type { ObjectRecord, Snapshot } from '../snapshot/types';
import {
  loadRecords,
  parseObjectReference,
  recordMatches,
  type RecordSource,
} from './snapshot-records';

export interface SnapshotQuery {
  entity?: string;
  namespace?: string;
  tag?: string;
  /** `kind/name`: snapshots holding that object. */
  contains?: string;
  /** Text in an image name or digest. */
  image?: string;
  since?: Date;
  until?: Date;
}

/** The snapshots matching every given filter, newest first. */
export async function findSnapshots(
  source: RecordSource,
  snapshots: Snapshot[],
  query: SnapshotQuery,
): Promise<Snapshot[]> {
  const reference = query.contains
    ? parseObjectReference(query.contains, query.namespace)
    : undefined;
  const image = query.image?.toLowerCase();
  const candidates = snapshots.filter(
    snapshot =>
      (!query.entity || snapshot.entities.includes(query.entity)) &&
      (!query.namespace || snapshot.namespaces.includes(query.namespace)) &&
      (!query.tag || snapshot.tags.includes(query.tag)) &&
      (!image ||
        snapshot.images.some(
          entry =>
            entry.image.toLowerCase().includes(image) || (entry.digest ?? '').includes(image),
        )) &&
      (!query.since || Date.parse(snapshot.time) >= query.since.getTime()) &&
      (!query.until || Date.parse(snapshot.time) <= query.until.getTime()),
  );
  let result = candidates;
  if (reference) {
    const cache = new Map<string, Promise<ObjectRecord[]>>();
    const holds = await Promise.all(
      candidates.map(async snapshot =>
        (await loadRecords(source, snapshot, cache)).some(record =>
          recordMatches(record, reference),
        ),
      ),
    );
    result = candidates.filter((_, index) => holds[index]);
  }
  return [...result].sort((a, b) => b.time.localeCompare(a.time));
}

/** Reads `2026-11-01`, an ISO time, or an age such as `90m`, `24h`, `7d` (that long ago). */
export function parseTimeBound(text: string, now = Date.now()): Date {
  const age = text.match(/^(\d+)(s|m|h|d|w)$/);
  if (age) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[age[2] as 's'];
    return new Date(now - Number(age[1]) * unit * 1000);
  }
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new UserError(
      'invalid-argument',
      `"${text}" is not a time: use 2026-11-01, an ISO time, or an age like 24h or 7d`,
    );
  }
  return new Date(time);
}
