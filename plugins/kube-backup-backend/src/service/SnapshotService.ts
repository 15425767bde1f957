import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  SnapshotDetail,
  SnapshotList,
  SnapshotObject,
  SnapshotSummary,
} from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  loadRecords,
  matchesLabels,
  parseLabelSelector,
  parseTimeBound,
  Repository,
  type LabelSelector,
  type ObjectRecord,
  type Snapshot,
} from '@kube-backup/core';
import type { KubeBackupConfig } from '../config';

export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION = 'backstage.io/kubernetes-label-selector';

/** How an entity is found in snapshots: the Kubernetes plugin's annotations. */
export interface EntityMatcher {
  id?: string;
  namespace?: string;
  selectorText?: string;
  selector?: LabelSelector;
}

export function entityMatcher(entity: Entity): EntityMatcher | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim() || undefined;
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
  const selectorText = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim() || undefined;
  if (!id && !namespace && !selectorText) return undefined;
  let selector: LabelSelector | undefined;
  if (selectorText) {
    try {
      selector = parseLabelSelector(selectorText);
    } catch (error) {
      throw new InputError(
        `the entity's ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation is not a label selector: ${(error as Error).message}`,
      );
    }
  }
  return { id, namespace, selectorText, selector };
}

export interface SnapshotFilters {
  since?: string;
  until?: string;
  tag?: string;
  limit?: number;
  offset?: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const RECORD_CACHE_LISTS = 2000;

/**
 * Reads the repository for the routes: a briefly cached snapshot listing (so an entity page
 * over 1,000 snapshots answers from memory), and immutable per-snapshot facts cached for good.
 */
export class SnapshotService {
  private repositoryPromise?: Promise<Repository>;
  private listing?: { at: number; snapshots: Promise<Snapshot[]> };
  /** Record lists are content-addressed, so a cached list never goes stale. */
  private readonly recordLists = new Map<string, Promise<ObjectRecord[]>>();
  /** snapshot id + matcher → whether the snapshot holds a matching object (immutable). */
  private readonly selectorHits = new Map<string, boolean>();

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
    matcher: EntityMatcher,
    filters: Pick<SnapshotFilters, 'since' | 'until' | 'tag'> = {},
  ): Promise<Snapshot[]> {
    const now = this.now();
    const since = filters.since ? parseBound(filters.since, now) : undefined;
    const until = filters.until ? parseBound(filters.until, now) : undefined;
    const candidates = (await this.listSnapshots()).filter(
      snapshot =>
        (!matcher.id || snapshot.entities.includes(matcher.id)) &&
        (!matcher.namespace || snapshot.namespaces.includes(matcher.namespace)) &&
        (!filters.tag || snapshot.tags.includes(filters.tag)) &&
        (!since || Date.parse(snapshot.time) >= since) &&
        (!until || Date.parse(snapshot.time) <= until),
    );
    let matching = candidates;
    if (matcher.selector) {
      const holds = await Promise.all(
        candidates.map(snapshot => this.holdsSelected(snapshot, matcher)),
      );
      matching = candidates.filter((_, index) => holds[index]);
    }
    return [...matching].sort((a, b) => b.time.localeCompare(a.time));
  }

  async listForEntity(matcher: EntityMatcher, filters: SnapshotFilters): Promise<SnapshotList> {
    const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
    const offset = filters.offset ?? 0;
    const all = await this.entitySnapshots(matcher, filters);
    return {
      items: all.slice(offset, offset + limit).map(toSummary),
      totalCount: all.length,
      offset,
      limit,
    };
  }

  /** One of the entity's snapshots; 404 when the snapshot does not hold the entity. */
  async entitySnapshot(matcher: EntityMatcher, ref: string): Promise<Snapshot> {
    const repository = await this.repository();
    let snapshot: Snapshot;
    try {
      snapshot = await repository.getSnapshot(ref);
    } catch (error) {
      throw new NotFoundError(`no snapshot "${ref}": ${(error as Error).message}`);
    }
    const belongs =
      (!matcher.id || snapshot.entities.includes(matcher.id)) &&
      (!matcher.namespace || snapshot.namespaces.includes(matcher.namespace)) &&
      (!matcher.selector || (await this.holdsSelected(snapshot, matcher)));
    if (!belongs)
      throw new NotFoundError(`snapshot ${snapshot.id.slice(0, 12)} does not hold this entity`);
    return snapshot;
  }

  async detail(matcher: EntityMatcher, ref: string): Promise<SnapshotDetail> {
    const snapshot = await this.entitySnapshot(matcher, ref);
    const repository = await this.repository();
    const records = (await loadRecords(repository, snapshot, this.recordLists)).filter(
      record =>
        !matcher.namespace ||
        record.namespace === undefined ||
        record.namespace === matcher.namespace,
    );
    this.trimRecordCache();
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
    return {
      ...toSummary(snapshot),
      selection: {
        namespaces: snapshot.selection.namespaces,
        labelSelector: snapshot.selection.labelSelector,
        entities: snapshot.selection.entities,
      },
      objectsByKind,
      images: snapshot.images.map(image => ({ ...image })),
      volumes: snapshot.volumes
        .filter(volume => !matcher.namespace || volume.namespace === matcher.namespace)
        .map(volume => ({ ...volume })),
      errors: snapshot.errors.map(error => ({ ...error })),
    };
  }

  private async holdsSelected(snapshot: Snapshot, matcher: EntityMatcher): Promise<boolean> {
    const key = `${snapshot.id}\u0000${matcher.namespace ?? ''}\u0000${matcher.selectorText ?? ''}`;
    const known = this.selectorHits.get(key);
    if (known !== undefined) return known;
    const repository = await this.repository();
    const records = await loadRecords(repository, snapshot, this.recordLists);
    const hit = records.some(
      record =>
        (!matcher.namespace || record.namespace === matcher.namespace) &&
        matcher.selector !== undefined &&
        matchesLabels(matcher.selector, record.labels),
    );
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
