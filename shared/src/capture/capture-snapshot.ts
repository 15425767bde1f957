import { hostname } from 'node:os';
import type { ClusterConnection } from '../cluster/connect';
import { discoverResourceTypes } from '../cluster/discovery';
import { KubeApiError } from '../cluster/kube-api-error';
import { mapConcurrent } from '../util/limiter';
import { listObjects } from '../cluster/list-objects';
import { qualifiedResourceName, type ResourceType } from '../cluster/resource-types';
import { resolveResourceType } from '../kubernetes-objects/type-names';
import { UserError } from '../errors';
import { newSnapshotId } from '../repository/snapshot-store';
import { parseLabelSelector } from '../selectors/label-selector';
import type {
  ImageRecord,
  ObjectRecord,
  Snapshot,
  SnapshotError,
  VolumeRecord,
} from '../snapshot/types';
import { BACKSTAGE_ID_LABEL } from './annotations';
import { Inventory, type InventoryItem } from '../kubernetes-objects/inventory';
import { compareRecords, recordOf } from './records';
import { sanitizeObject } from './sanitize';
import { storageClassesAtCapture } from './storage-classes';
import { selectObjects } from './select';
import { isCapturableType } from './skip-rules';
import type { VolumeDataCapture, VolumeProgress } from '../volumes/types';

/** What capture needs from a repository: content-addressed JSON and snapshot documents. */
export interface CaptureTarget {
  putJson(
    value: unknown,
  ): Promise<{ id: string; storedBytes: number; size: number; isNew: boolean }>;
  /** Stores the document; an empty id asks the repository for a new one. */
  saveSnapshot(snapshot: Snapshot): Promise<Snapshot>;
}

export interface CaptureOptions {
  name?: string;
  /** Namespaces to capture; default is the kubeconfig context's namespace. */
  namespaces?: string[];
  allNamespaces?: boolean;
  excludeNamespaces?: string[];
  labelSelector?: string;
  tags?: string[];
  entities?: string[];
  annotatedOnly?: boolean;
  includeResources?: string[];
  excludeResources?: string[];
  includeClusterResources?: 'auto' | 'true' | 'false';
  /** Objects stored at once. */
  concurrency?: number;
  /** Captures the claims' data once the objects are stored (see volumeDataCapture). */
  volumeData?: VolumeDataCapture;
  onProgress?: (progress: CaptureProgress) => void;
}

export type CaptureProgress =
  | { phase: 'discovering' }
  | { phase: 'listing'; done: number; total: number; objects: number }
  | { phase: 'storing'; done: number; total: number }
  | { phase: 'volumes'; volume: VolumeProgress }
  | { phase: 'saving' };

const STORAGE_CLASSES = 'storageclasses.storage.k8s.io';

/** Cluster-scoped types that namespaced objects can depend on. */
const DEPENDENCY_CLUSTER_TYPES = new Set([
  'namespaces',
  'persistentvolumes',
  STORAGE_CLASSES,
  'clusterroles.rbac.authorization.k8s.io',
  'clusterrolebindings.rbac.authorization.k8s.io',
  'customresourcedefinitions.apiextensions.k8s.io',
  'ingressclasses.networking.k8s.io',
]);

/**
 * Captures the selected components of a cluster and their dependencies into a snapshot.
 * A list that fails (a forbidden type, say) is recorded and the rest is kept: the snapshot
 * is then `partial`. The snapshot document is written last, so an interrupted capture
 * leaves no snapshot behind.
 */
export async function captureSnapshot(
  connection: ClusterConnection,
  target: CaptureTarget,
  options: CaptureOptions = {},
): Promise<Snapshot> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const { client } = connection;
  const labelSelector = options.labelSelector
    ? parseLabelSelector(options.labelSelector)
    : undefined;
  const includeClusterResources = options.includeClusterResources ?? 'auto';

  progress({ phase: 'discovering' });
  const discovery = await discoverResourceTypes(client);
  const errors: SnapshotError[] = discovery.errors.map(error => ({
    resource: error.groupVersion,
    message: `discovery failed: ${error.message}`,
  }));
  const capturable = discovery.types.filter(isCapturableType);
  const typeFilter = resourceTypeFilter(
    capturable,
    options.includeResources,
    options.excludeResources,
  );

  const allNamespaces = options.allNamespaces ?? false;
  const excluded = new Set(options.excludeNamespaces ?? []);
  const namespaceType = capturable.find(
    type => type.group === '' && type.resource === 'namespaces',
  );
  if (!namespaceType)
    throw new UserError('cluster-unreachable', 'the cluster does not serve namespaces');
  const namespaces = allNamespaces
    ? await allNamespacesBut(connection, namespaceType, excluded)
    : await existingNamespaces(connection, options.namespaces ?? [connection.namespace]);

  const clusterTypes = capturable.filter(
    type =>
      !type.namespaced &&
      includeClusterResources !== 'false' &&
      (includeClusterResources === 'true' ||
        allNamespaces ||
        DEPENDENCY_CLUSTER_TYPES.has(qualifiedResourceName(type))),
  );
  const namespacedTypes = capturable.filter(type => type.namespaced);
  const lists: Array<{ type: ResourceType; namespace?: string }> = [
    ...clusterTypes.map(type => ({ type })),
    ...namespacedTypes.flatMap(type =>
      allNamespaces ? [{ type }] : namespaces.map(namespace => ({ type, namespace })),
    ),
  ];

  const inventory = new Inventory();
  const namespaceSet = new Set(namespaces);
  let listed = 0;
  progress({ phase: 'listing', done: 0, total: lists.length, objects: 0 });
  await mapConcurrent(lists, client.concurrency, async ({ type, namespace }) => {
    try {
      for (const object of await listObjects(client, type, { namespace })) {
        if (type.namespaced && !namespaceSet.has(object.metadata.namespace ?? '')) continue;
        inventory.add(type, object);
      }
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      errors.push({ resource: qualifiedResourceName(type), namespace, message: error.message });
    }
    progress({ phase: 'listing', done: ++listed, total: lists.length, objects: inventory.size });
  });

  const { restorable, recorded } = selectObjects(inventory, {
    labelSelector,
    entities: options.entities ?? [],
    annotatedOnly: options.annotatedOnly ?? false,
    typeFilter,
    includeClusterResources,
    allNamespaces,
  });

  if (!restorable.some(holdsApplicationState)) {
    // An empty "complete" snapshot would pass for a backup; say what went wrong instead.
    const listed =
      errors.length > 0
        ? ` (and ${errors.length} list(s) failed: ${errors[0].resource}: ${errors[0].message})`
        : '';
    throw new UserError(
      'not-found',
      `the selection matches nothing in cluster ${connection.contextName}${allNamespaces ? '' : ` (namespaces ${namespaces.join(', ')})`}${listed}; no snapshot was written`,
    );
  }

  const stats = { newBytes: 0, reusedBytes: 0, storedObjects: 0, reusedObjects: 0 };
  const store = async (value: unknown) => {
    const result = await target.putJson(value);
    if (result.isNew) {
      stats.newBytes += result.storedBytes;
      stats.storedObjects++;
    } else {
      stats.reusedBytes += result.size;
      stats.reusedObjects++;
    }
    return result.id;
  };
  let stored = 0;
  progress({ phase: 'storing', done: 0, total: restorable.length });
  const records: ObjectRecord[] = await mapConcurrent(
    restorable,
    options.concurrency ?? 32,
    async item => {
      const record = recordOf(item, await store(sanitizeObject(item.object)));
      progress({ phase: 'storing', done: ++stored, total: restorable.length });
      return record;
    },
  );
  records.push(...recorded.map(item => recordOf(item, undefined)));
  records.sort(compareRecords);

  const recordLists = await mapConcurrent([...groupByNamespace(records).values()], 8, list =>
    store(list),
  );
  // Volume data comes last: a backup killed while movers run leaves no snapshot behind.
  const id = newSnapshotId();
  const volumes = options.volumeData
    ? await options.volumeData.capture({
        items: [...restorable, ...recorded],
        volumes: volumesOf(restorable),
        snapshotId: id,
        cluster: connection.contextName,
        onProgress: volume => progress({ phase: 'volumes', volume }),
      })
    : { volumes: volumesOf(restorable), errors: [] };
  errors.push(...volumes.errors);
  progress({ phase: 'saving' });
  const snapshot: Snapshot = {
    id,
    name: options.name,
    time: new Date(started).toISOString(),
    cluster: {
      name: connection.contextName,
      server: connection.server,
      version: discovery.serverVersion,
    },
    selection: {
      namespaces: allNamespaces ? 'all' : namespaces,
      excludeNamespaces: [...excluded],
      labelSelector: options.labelSelector,
      includeResources: options.includeResources,
      excludeResources: options.excludeResources,
      includeClusterResources,
      annotatedOnly: options.annotatedOnly ?? false,
      entities: options.entities ?? [],
    },
    tags: [...new Set(options.tags ?? [])],
    entities: entityIds(options.entities ?? [], [...restorable, ...recorded]),
    namespaces: [
      ...new Set(records.flatMap(record => (record.namespace ? [record.namespace] : []))),
    ].sort(),
    recordLists,
    counts: countRecords(records),
    images: uniqueImages(records),
    volumes: volumes.volumes,
    storageClasses: storageClassesAtCapture(
      restorable,
      inventory,
      clusterTypes.some(type => qualifiedResourceName(type) === STORAGE_CLASSES) &&
        !errors.some(error => error.resource === STORAGE_CLASSES),
    ),
    stats,
    durationMs: Date.now() - started,
    status: errors.length > 0 ? 'partial' : 'complete',
    errors,
    hostname: hostname(),
  };
  return target.saveSnapshot(snapshot);
}

/**
 * Whether an object is more than what every namespace has anyway: namespaces and their
 * `default` ServiceAccount exist without anyone deploying anything.
 */
function holdsApplicationState({ type, object }: InventoryItem): boolean {
  if (type.group !== '') return true;
  if (type.kind === 'Namespace') return false;
  return !(type.kind === 'ServiceAccount' && object.metadata.name === 'default');
}

/** Every namespace of the cluster except the excluded ones, each of which must exist. */
async function allNamespacesBut(
  connection: ClusterConnection,
  namespaceType: ResourceType,
  excluded: ReadonlySet<string>,
): Promise<string[]> {
  const all = (await listObjects(connection.client, namespaceType)).map(
    namespace => namespace.metadata.name ?? '',
  );
  // A mistyped exclusion (kube-sytem) would back up the very namespace meant to stay out.
  const unknown = [...excluded].filter(name => !all.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      'not-found',
      `excluded namespace ${unknown.map(name => `"${name}"`).join(', ')} does not exist in cluster ${connection.contextName}, so excluding it changes nothing`,
    );
  }
  return all.filter(name => !excluded.has(name));
}

async function existingNamespaces(
  connection: ClusterConnection,
  requested: string[],
): Promise<string[]> {
  const found = await mapConcurrent(requested, 8, async name => {
    try {
      await connection.client.request({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(name)}`,
      });
      return name;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) {
        throw new UserError(
          'not-found',
          `namespace "${name}" not found in cluster ${connection.contextName}`,
        );
      }
      // Without permission to read the namespace object, its contents may still be listable.
      if (error instanceof KubeApiError && error.status === 403) return name;
      throw error;
    }
  });
  return [...new Set(found)];
}

function resourceTypeFilter(
  types: ResourceType[],
  include: string[] | undefined,
  exclude: string[] | undefined,
): ((type: ResourceType) => boolean) | undefined {
  const resolve = (names: string[]) =>
    new Set(names.map(name => qualifiedResourceName(resolveResourceType(types, name))));
  if (!include?.length && !exclude?.length) return undefined;
  const included = include?.length ? resolve(include) : undefined;
  const excludedTypes = resolve(exclude ?? []);
  const both = [...(included ?? [])].filter(name => excludedTypes.has(name));
  if (both.length > 0) {
    throw new UserError(
      'invalid-argument',
      `the selection both includes and excludes ${both.join(', ')}; name each type once`,
    );
  }
  return type => {
    const name = qualifiedResourceName(type);
    return (included?.has(name) ?? true) && !excludedTypes.has(name);
  };
}

function groupByNamespace(records: ObjectRecord[]): Map<string, ObjectRecord[]> {
  const groups = new Map<string, ObjectRecord[]>();
  for (const record of records) {
    const key = record.namespace ?? '';
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return groups;
}

function countRecords(records: ObjectRecord[]): Snapshot['counts'] {
  const byKind: Record<string, number> = {};
  for (const record of records) byKind[record.kind] = (byKind[record.kind] ?? 0) + 1;
  return {
    objects: records.length,
    restorable: records.filter(record => record.restorable).length,
    byKind,
  };
}

function uniqueImages(records: ObjectRecord[]): ImageRecord[] {
  const images = new Map<string, ImageRecord>();
  for (const image of records.flatMap(record => record.images ?? [])) {
    images.set(`${image.image}@${image.digest ?? ''}`, image);
  }
  return [...images.values()].sort((a, b) => a.image.localeCompare(b.image));
}

function entityIds(requested: string[], items: InventoryItem[]): string[] {
  const ids = new Set(requested);
  for (const item of items) {
    const id = item.object.metadata.labels?.[BACKSTAGE_ID_LABEL];
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

function volumesOf(items: InventoryItem[]): VolumeRecord[] {
  return items
    .filter(item => item.type.group === '' && item.object.kind === 'PersistentVolumeClaim')
    .map(({ object }) => {
      const spec = (object.spec ?? {}) as {
        storageClassName?: string;
        volumeName?: string;
        resources?: { requests?: { storage?: string } };
      };
      const volume: VolumeRecord = {
        namespace: object.metadata.namespace ?? '',
        claim: object.metadata.name ?? '',
      };
      if (spec.resources?.requests?.storage) volume.size = spec.resources.requests.storage;
      if (spec.storageClassName) volume.storageClass = spec.storageClassName;
      if (spec.volumeName) volume.volumeName = spec.volumeName;
      return volume;
    });
}
