// Helpers for restore's and hydration's tests (not exported from the package).
import type { RecordSource } from '../catalog/snapshot-records';
import type { KubeObject, ObjectRecord, Snapshot } from '../snapshot/types';

/** One object of a source snapshot: where it is recorded and what was captured. */
export interface Captured {
  group: string;
  resource: string;
  object: KubeObject;
}

export const captured = (group: string, resource: string, object: KubeObject): Captured => ({
  group,
  resource,
  object,
});

/**
 * A snapshot as a repository gives it back (one record list, each object by content id),
 * held in memory. Every object is restorable.
 */
export function snapshotOf(
  objects: readonly Captured[],
  fields: Partial<Snapshot> = {},
): { snapshot: Snapshot; records: ObjectRecord[]; source: RecordSource } {
  const blobs = new Map<string, unknown>();
  const records = objects.map(({ group, resource, object }, index): ObjectRecord => {
    const content = `object-${index}`;
    blobs.set(content, object);
    return {
      group,
      version: object.apiVersion.split('/').pop()!,
      kind: object.kind,
      resource,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      name: object.metadata.name!,
      labels: object.metadata.labels,
      content,
      restorable: true,
    };
  });
  blobs.set('records', records);
  const snapshot = {
    id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
    time: '2026-11-30T12:00:00Z',
    cluster: { name: 'prod', server: 'https://prod.example:6443' },
    recordLists: ['records'],
    ...fields,
  } as Snapshot;
  return {
    snapshot,
    records,
    source: { getJson: async <T>(id: string) => structuredClone(blobs.get(id)) as T },
  };
}
