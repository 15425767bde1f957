import { mapConcurrent } from '../util/limiter';
import type { RecordSource } from '../catalog/snapshot-records';
import { UserError } from '../errors';
import type { KubeObject, ObjectRecord } from '../snapshot/types';
import type { ObjectType } from './types';

/** A restorable record with its captured (sanitised) object. */
export interface LoadedObject {
  record: ObjectRecord;
  object: KubeObject;
}

export function typeOfRecord(record: ObjectRecord): ObjectType {
  return {
    group: record.group,
    version: record.version,
    kind: record.kind,
    resource: record.resource,
    namespaced: record.namespace !== undefined,
  };
}

/** A record whose object cannot be read back: missing or corrupt in the repository. */
export interface DamagedObject {
  record: ObjectRecord;
  /** What the repository said, naming the blob. */
  message: string;
}

/**
 * Reads the objects of a snapshot's records from the repository, each content id once,
 * a bounded number at a time. Records with the same content share one object, which is
 * therefore never modified. A record whose content is damaged is left out of what `load`
 * returns and remembered, so the caller decides whether the restore can go on.
 */
export class SnapshotObjects {
  private readonly cache = new Map<string, Promise<KubeObject>>();
  private readonly damagedRecords = new Map<ObjectRecord, string>();

  constructor(
    private readonly source: RecordSource,
    private readonly concurrency: number,
  ) {}

  async load(
    records: readonly ObjectRecord[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<LoadedObject[]> {
    let done = 0;
    const restorable = records.filter(record => record.content !== undefined);
    onProgress?.(0, restorable.length);
    const loaded = await mapConcurrent(restorable, this.concurrency, async record => {
      const id = record.content as string;
      let object = this.cache.get(id);
      if (!object) {
        object = this.source.getJson<KubeObject>(id);
        this.cache.set(id, object);
      }
      try {
        // Identical objects share one parsed copy: loaded objects are read, never changed
        // (transforms work on copies).
        return { record, object: await object };
      } catch (error) {
        if (!(error instanceof UserError) || error.code !== 'corrupt') throw error;
        this.damagedRecords.set(record, error.message);
        return undefined;
      } finally {
        onProgress?.(++done, restorable.length);
      }
    });
    return loaded.filter((item): item is LoadedObject => item !== undefined);
  }

  /** The records loaded so far whose content could not be read. */
  damaged(): DamagedObject[] {
    return [...this.damagedRecords].map(([record, message]) => ({ record, message }));
  }
}
