import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DEFAULT_SNAPSHOT_PAGE_SIZE,
  type SnapshotDetail,
  type SnapshotList,
  type SnapshotObject,
  type SnapshotSummary,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  loadRecords,
  parseTimeBound,
  planRestore,
  Repository,
  UserError,
  type ImageRecord,
  type ObjectRecord,
  type Snapshot,
} from '@kube-backup/core';
import type { KubeBackupConfig } from '../config';
import {
  entitySelection,
  needsRecords,
  recordOwnedByLabel,
  recordClaimed,
  scopeKey,
  snapshotMayHold,
  type EntityScope,
} from './EntityScope';

export interface SnapshotFilters {
  since?: string;
  until?: string;
  tag?: string;
  limit?: number;
  offset?: number;
}

const RECORD_CACHE_LISTS = 2000;
const ENTITY_RECORD_CACHE = 200;

/**
 * Reads the repository for the routes: a briefly cached snapshot listing (so an entity page
 * over 1,000 snapshots answers from memory), and immutable per-snapshot facts cached for good.
 */
export class SnapshotService {
  private repositoryPromise?: Promise<Repository>;
  private listing?: { at: number; snapshots: Promise<Snapshot[]> };
  /** Record lists are content-addressed, so a cached list never goes stale. */
  private readonly recordLists = new Map<string, Promise<ObjectRecord[]>>();
  /** snapshot id + scope → whether the snapshot holds a matching object (immutable). */
  private readonly selectorHits = new Map<string, boolean>();
  /** snapshot id + scope → the entity's records in the snapshot (immutable). */
  private readonly entityRecordLists = new Map<string, Promise<ObjectRecord[]>>();

  constructor(
    private readonly config: KubeBackupConfig,
    private readonly logger: LoggerService,
    private readonly now: () => number = Date.now,
  ) {}

  repository(): Promise<Repository> {
    if (!this.repositoryPromise) {
      const { location, password } = this.config.repository;
      this.repositoryPromise = Repository.open(location, password).catch(error => {
        this.repositoryPromise = undefined;
        throw error;
      });
    }
    return this.repositoryPromise;
  }

  /** Every snapshot, oldest first, re-read at most every `snapshotCacheSeconds`. */
  async listSnapshots(): Promise<Snapshot[]> {
    const now = this.now();
    if (!this.listing || now - this.listing.at > this.config.snapshotCacheMs) {
      const snapshots = this.repository().then(repository =>
        repository.listSnapshots({
          onError: (id, error) =>
            this.logger.warn(`snapshot ${id} left out of listings: ${error.message}`),
        }),
      );
      const listing = { at: now, snapshots };
      this.listing = listing;
      snapshots.catch(() => {
        if (this.listing === listing) this.listing = undefined;
      });
    }
    return this.listing.snapshots;
  }

  /** Forget the cached listing (after a write, say). */
  invalidate(): void {
    this.listing = undefined;
  }

  async close(): Promise<void> {
    const repository = await this.repositoryPromise?.catch(() => undefined);
    this.repositoryPromise = undefined;
    await repository?.close();
  }

  /** The entity's snapshots, newest first, before paging. */
  async entitySnapshots(
    scope: EntityScope,
    filters: Pick<SnapshotFilters, 'since' | 'until' | 'tag'> = {},
  ): Promise<Snapshot[]> {
    const now = this.now();
    const since = filters.since ? parseBound(filters.since, now) : undefined;
    const until = filters.until ? parseBound(filters.until, now) : undefined;
    const candidates = (await this.listSnapshots()).filter(
      snapshot =>
        snapshotMayHold(scope, snapshot) &&
        (!filters.tag || snapshot.tags.includes(filters.tag)) &&
        (!since || Date.parse(snapshot.time) >= since) &&
        (!until || Date.parse(snapshot.time) <= until),
    );
    let matching = candidates;
    if (needsRecords(scope)) {
      const holds = await Promise.all(
        candidates.map(snapshot => this.holdsSelected(snapshot, scope)),
      );
      matching = candidates.filter((_, index) => holds[index]);
    }
    return [...matching].sort((a, b) => b.time.localeCompare(a.time));
  }

  /** A page of the entity's snapshots; an entity that claims nothing has none. */
  async listForEntity(
    scope: EntityScope | undefined,
    filters: SnapshotFilters,
  ): Promise<SnapshotList> {
    const limit = filters.limit ?? DEFAULT_SNAPSHOT_PAGE_SIZE;
    const offset = filters.offset ?? 0;
    const all = scope ? await this.entitySnapshots(scope, filters) : [];
    return {
      items: all.slice(offset, offset + limit).map(toSummary),
      totalCount: all.length,
      offset,
      limit,
    };
  }

  /**
   * One of the entity's snapshots by id, unique prefix or `latest` (the entity's newest);
   * 404 when the snapshot does not hold the entity.
   */
  async entitySnapshot(scope: EntityScope, ref: string): Promise<Snapshot> {
    if (ref.trim().toLowerCase() === 'latest') {
      const [newest] = await this.entitySnapshots(scope);
      if (!newest) throw new NotFoundError(`${scope.entityRef} has no snapshots`);
      return newest;
    }
    const snapshot = await (await this.repository()).getSnapshot(ref);
    const belongs =
      snapshotMayHold(scope, snapshot) &&
      (!needsRecords(scope) || (await this.holdsSelected(snapshot, scope)));
    if (!belongs) {
      throw new NotFoundError(
        `snapshot ${snapshot.id.slice(0, 12)} does not hold ${scope.entityRef}`,
      );
    }
    return snapshot;
  }

  /**
   * The entity's records in a snapshot: what a restore of the entity would write (core's
   * selection, dependencies included) and the controller-made children recorded under it
   * (Pods, ReplicaSets, Jobs…).
   */
  entityRecords(scope: EntityScope, snapshot: Snapshot): Promise<ObjectRecord[]> {
    const key = `${snapshot.id}\u0000${scopeKey(scope)}`;
    let records = this.entityRecordLists.get(key);
    if (!records) {
      records = this.readEntityRecords(scope, snapshot);
      this.entityRecordLists.set(key, records);
      records.catch(() => this.entityRecordLists.delete(key));
      while (this.entityRecordLists.size > ENTITY_RECORD_CACHE) {
        this.entityRecordLists.delete(this.entityRecordLists.keys().next().value as string);
      }
    }
    return records;
  }

  /** The namespaces the entity's objects in the snapshot are in, sorted. */
  async entityNamespaces(scope: EntityScope, snapshot: Snapshot): Promise<string[]> {
    return namespacesOf(await this.entityRecords(scope, snapshot));
  }

  /** The snapshot's volumes whose claims are the entity's. */
  async entityVolumes(scope: EntityScope, snapshot: Snapshot): Promise<Snapshot['volumes']> {
    return volumesOf(snapshot, await this.entityRecords(scope, snapshot));
  }

  async detail(scope: EntityScope, ref: string): Promise<SnapshotDetail> {
    const snapshot = await this.entitySnapshot(scope, ref);
    const records = await this.entityRecords(scope, snapshot);
    const namespaces = namespacesOf(records);
    const objectsByKind: Record<string, SnapshotObject[]> = {};
    for (const record of records) {
      (objectsByKind[record.kind] ??= []).push({
        group: record.group,
        version: record.version,
        kind: record.kind,
        namespace: record.namespace,
        name: record.name,
        labels: record.labels,
        tags: record.tags,
        restorable: record.restorable,
        node: record.node,
        phase: record.phase,
      });
    }
    for (const list of Object.values(objectsByKind)) {
      list.sort((a, b) =>
        `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`),
      );
    }
    const volumes = volumesOf(snapshot, records).map(volume => ({ ...volume }));
    // Errors of other namespaces are not this entity's; those naming none may be.
    const errors = snapshot.errors
      .filter(error => !error.namespace || namespaces.includes(error.namespace))
      .map(error => ({ ...error }));
    const entities = snapshot.entities.filter(id => id === scope.id);
    return {
      ...toSummary(snapshot),
      entities,
      namespaces,
      status: errors.length > 0 ? 'partial' : 'complete',
      objectCount: records.length,
      restorableCount: records.filter(record => record.restorable).length,
      errorCount: errors.length,
      volumeCount: volumes.length,
      selection: {
        namespaces:
          snapshot.selection.namespaces === 'all'
            ? 'all'
            : snapshot.selection.namespaces.filter(namespace => namespaces.includes(namespace)),
        labelSelector: snapshot.selection.labelSelector,
        entities,
      },
      objectsByKind,
      images: imagesOf(records),
      volumes,
      errors,
    };
  }

  private async readEntityRecords(scope: EntityScope, snapshot: Snapshot): Promise<ObjectRecord[]> {
    const repository = await this.repository();
    const records = await loadRecords(repository, snapshot, this.recordLists);
    this.trimRecordCache();
    const selection = entitySelection(scope, namespacesOf(records));
    if (!selection) return [];
    let planned: ObjectRecord[];
    try {
      const plan = await planRestore(repository, snapshot, selection);
      planned = plan.objects.flatMap(object => (object.record ? [object.record] : []));
    } catch (error) {
      // Core says so when the entity's objects are not in the snapshot: it has none here.
      if (error instanceof UserError && error.code === 'not-found') return [];
      throw error;
    }
    const chosen = new Set(planned.map(recordKey));
    return withControlledChildren(
      records,
      record =>
        chosen.has(recordKey(record)) || (!record.restorable && recordOwnedByLabel(scope, record)),
    );
  }

  private async holdsSelected(snapshot: Snapshot, scope: EntityScope): Promise<boolean> {
    const key = `${snapshot.id}\u0000${scopeKey(scope)}`;
    const known = this.selectorHits.get(key);
    if (known !== undefined) return known;
    const repository = await this.repository();
    const records = await loadRecords(repository, snapshot, this.recordLists);
    const hit = records.some(record => recordClaimed(scope, record));
    this.selectorHits.set(key, hit);
    this.trimRecordCache();
    return hit;
  }

  private trimRecordCache(): void {
    while (this.recordLists.size > RECORD_CACHE_LISTS) {
      const oldest = this.recordLists.keys().next().value as string;
      this.recordLists.delete(oldest);
    }
    while (this.selectorHits.size > 100_000) {
      this.selectorHits.delete(this.selectorHits.keys().next().value as string);
    }
  }
}

const recordKey = (record: ObjectRecord) =>
  `${record.group}|${record.kind}|${record.namespace ?? ''}|${record.name}`;

/**
 * The chosen records with the children their controllers made, followed up the owner
 * chain (a Pod's ReplicaSet's Deployment), as capture recorded them.
 */
function withControlledChildren(
  records: readonly ObjectRecord[],
  chosen: (record: ObjectRecord) => boolean,
): ObjectRecord[] {
  const byOwnerKey = new Map<string, ObjectRecord>();
  for (const record of records) {
    byOwnerKey.set(`${record.namespace ?? ''}|${record.kind}|${record.name}`, record);
  }
  const belongs = (record: ObjectRecord, depth: number): boolean => {
    if (chosen(record)) return true;
    if (record.restorable || !record.owner || depth >= 10) return false;
    const owner = byOwnerKey.get(
      `${record.namespace ?? ''}|${record.owner.kind}|${record.owner.name}`,
    );
    return owner !== undefined && belongs(owner, depth + 1);
  };
  return records.filter(record => belongs(record, 0));
}

/** The snapshot's volumes whose claims are among the records. */
function volumesOf(snapshot: Snapshot, records: readonly ObjectRecord[]): Snapshot['volumes'] {
  const claims = new Set(
    records
      .filter(record => record.group === '' && record.kind === 'PersistentVolumeClaim')
      .map(record => `${record.namespace}/${record.name}`),
  );
  return snapshot.volumes.filter(volume => claims.has(`${volume.namespace}/${volume.claim}`));
}

function namespacesOf(records: readonly ObjectRecord[]): string[] {
  const namespaces = new Set<string>();
  for (const record of records) if (record.namespace) namespaces.add(record.namespace);
  return [...namespaces].sort();
}

/** The images the records' pods ran, each image and digest once. */
function imagesOf(records: readonly ObjectRecord[]): ImageRecord[] {
  const images = new Map<string, ImageRecord>();
  for (const image of records.flatMap(record => record.images ?? [])) {
    images.set(`${image.image}@${image.digest ?? ''}`, { ...image });
  }
  return [...images.values()].sort((a, b) => a.image.localeCompare(b.image));
}

function parseBound(text: string, now: number): number {
  try {
    return parseTimeBound(text, now).getTime();
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

export function toSummary(snapshot: Snapshot): SnapshotSummary {
  return {
    id: snapshot.id,
    name: snapshot.name,
    time: snapshot.time,
    cluster: { ...snapshot.cluster },
    tags: [...snapshot.tags],
    entities: [...snapshot.entities],
    namespaces: [...snapshot.namespaces],
    status: snapshot.status,
    objectCount: snapshot.counts.objects,
    restorableCount: snapshot.counts.restorable,
    errorCount: snapshot.errors.length,
    volumeCount: snapshot.volumes.length,
    durationMs: snapshot.durationMs,
    sizeBytes: sizeOf(snapshot),
    volumeDataBytes: volumeDataBytes(snapshot),
  };
}

/** Bytes of captured volume data; undefined when the snapshot captured none. */
function volumeDataBytes(snapshot: Snapshot): number | undefined {
  const captured = snapshot.volumes.filter(volume => volume.data?.status === 'captured');
  if (captured.length === 0) return undefined;
  return captured.reduce((total, volume) => total + (volume.data?.bytes ?? 0), 0);
}

/** Object content stored plus re-used; unknown when the snapshot has no such statistics. */
function sizeOf(snapshot: Snapshot): number | undefined {
  const stats = snapshot.stats as Partial<Snapshot['stats']> | undefined;
  const { newBytes, reusedBytes } = stats ?? {};
  if (typeof newBytes !== 'number' || typeof reusedBytes !== 'number') return undefined;
  return newBytes + reusedBytes;
}
