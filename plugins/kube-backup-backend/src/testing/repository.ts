// Test helper: a real repository on disk holding snapshot documents written through core.
import { Repository, type ObjectRecord, type Snapshot } from '@kube-backup/core';

export const FAST_KDF = { N: 1024 };

export function deploymentRecord(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  content?: string,
): ObjectRecord {
  return {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
    namespace,
    name,
    labels,
    content,
    restorable: true,
  };
}

export interface SnapshotSpec {
  time: string;
  tags?: string[];
  entities?: string[];
  namespaces: string[];
  records: ObjectRecord[];
  images?: Snapshot['images'];
  volumes?: Snapshot['volumes'];
  errors?: Snapshot['errors'];
  /** Bytes of content the snapshot stored (default 1000). */
  sizeBytes?: number;
}

/** Stores each record's object and the record list, then the snapshot document. */
export async function saveSnapshot(repository: Repository, spec: SnapshotSpec): Promise<Snapshot> {
  const records: ObjectRecord[] = [];
  for (const record of spec.records) {
    if (!record.restorable) {
      records.push(record);
      continue;
    }
    const labels = record.labels ?? {};
    const object = {
      apiVersion: record.group ? `${record.group}/${record.version}` : record.version,
      kind: record.kind,
      metadata: { name: record.name, namespace: record.namespace, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'web', image: 'shop/web:1' }] },
        },
      },
    };
    records.push({ ...record, content: (await repository.putJson(object)).id });
  }
  const list = await repository.putJson(records);
  const byKind: Record<string, number> = {};
  for (const record of records) byKind[record.kind] = (byKind[record.kind] ?? 0) + 1;
  return repository.saveSnapshot({
    time: spec.time,
    cluster: { name: 'production', server: 'https://prod.example:6443', version: 'v1.31.0' },
    selection: {
      namespaces: spec.namespaces,
      excludeNamespaces: [],
      includeClusterResources: 'auto',
      annotatedOnly: false,
      entities: spec.entities ?? [],
    },
    tags: spec.tags ?? [],
    entities: spec.entities ?? [],
    namespaces: spec.namespaces,
    recordLists: [list.id],
    counts: {
      objects: records.length,
      restorable: records.filter(record => record.restorable).length,
      byKind,
    },
    images: spec.images ?? [],
    volumes: spec.volumes ?? [],
    stats: {
      newBytes: spec.sizeBytes ?? 1000,
      reusedBytes: 0,
      storedObjects: records.length,
      reusedObjects: 0,
    },
    durationMs: 42,
    status: (spec.errors ?? []).length > 0 ? 'partial' : 'complete',
    errors: spec.errors ?? [],
  });
}
