import type { KubeObject, ObjectRecord, Snapshot } from '../snapshot/types';
import { UserError } from '../errors';
import { isTypeNamed } from '../kubernetes-objects/type-names';

/** What reading a snapshot's contents needs from a repository. */
export interface RecordSource {
  getJson<T>(id: string): Promise<T>;
}

/**
 * All of a snapshot's object records. Record lists are shared between snapshots, so a
 * cache passed in by the caller makes scanning many snapshots read each list once.
 */
export async function loadRecords(
  source: RecordSource,
  snapshot: Snapshot,
  cache: Map<string, Promise<ObjectRecord[]>> = new Map(),
): Promise<ObjectRecord[]> {
  const lists = await Promise.all(
    snapshot.recordLists.map(id => {
      let list = cache.get(id);
      if (!list) {
        list = source.getJson<ObjectRecord[]>(id);
        cache.set(id, list);
      }
      return list;
    }),
  );
  return lists.flat();
}

export interface ObjectReference {
  /** A kind, resource or short name as kubectl accepts them: `deploy`, `Deployment`, `deployments.apps`. */
  kind: string;
  name: string;
  namespace?: string;
}

/** Parses `kind/name`, as the commands take it. */
export function parseObjectReference(text: string, namespace?: string): ObjectReference {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) {
    throw new UserError(
      'invalid-argument',
      `"${text}" is not kind/name (for example deployment/web)`,
    );
  }
  return { kind: text.slice(0, slash), name: text.slice(slash + 1), namespace };
}

/** Whether a record is the object a user named, matching kind the way kubectl does. */
export function recordMatches(record: ObjectRecord, reference: ObjectReference): boolean {
  if (record.name !== reference.name) return false;
  if (reference.namespace !== undefined && (record.namespace ?? '') !== reference.namespace)
    return false;
  return isTypeNamed(record, reference.kind);
}

/** One object of a snapshot, as it was captured (sanitised). */
export async function getSnapshotObject(
  source: RecordSource,
  snapshot: Snapshot,
  reference: ObjectReference,
): Promise<{ record: ObjectRecord; object: KubeObject }> {
  const matches = (await loadRecords(source, snapshot)).filter(record =>
    recordMatches(record, reference),
  );
  const where = reference.namespace ? ` in namespace "${reference.namespace}"` : '';
  if (matches.length === 0) {
    throw new UserError(
      'not-found',
      `${reference.kind}/${reference.name}${where} is not in snapshot ${snapshot.id.slice(0, 8)}`,
    );
  }
  if (matches.length > 1) {
    const places = matches
      .map(match => `${match.kind}/${match.name} in ${match.namespace ?? '(cluster)'}`)
      .join(', ');
    throw new UserError('ambiguous', `${reference.kind}/${reference.name} matches ${places}`, {
      input: 'namespace',
    });
  }
  const [record] = matches;
  if (!record.content) {
    const maker = record.owner ? `${record.owner.kind}/${record.owner.name}` : 'its controller';
    throw new UserError(
      'not-found',
      `${record.kind}/${record.name} was recorded for search only: ${maker} makes it and holds its definition`,
    );
  }
  return { record, object: await source.getJson<KubeObject>(record.content) };
}
