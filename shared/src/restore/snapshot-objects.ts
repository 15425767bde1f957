import { mapConcurrent } from '../cluster/limiter';
import type { RecordSource } from '../catalog/snapshot-records';
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

/**
 * Reads the objects of a snapshot's records from the repository, each content id once,
 * a bounded number at a time. Records with the same content share one object, which is
 * therefore never modified.
 */
export class SnapshotObjects {
  private readonly cache = new Map<string, Promise<KubeObject>>();

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
    return mapConcurrent(restorable, this.concurrency, async record => {
      const id = record.content as string;
      let object = this.cache.get(id);
      if (!object) {
        object = this.source.getJson<KubeObject>(id);
        this.cache.set(id, object);
      }
      // Identical objects share one parsed copy: loaded objects are read, never changed
      // (transforms work on copies).
      const loaded = { record, object: await object };
      onProgress?.(++done, restorable.length);
      return loaded;
    });
  }
}
