import type {
  HydrationJob,
  HydrationPlan,
  HydrationRequestBody,
  HydrationTarget,
  RestoreDecisionBody,
  RestoreRequest,
  RestoreRequestBody,
  SnapshotDetail,
  SnapshotList,
  VolumeFileSearch,
  VolumeFolder,
} from '@kube-backup/backstage-plugin-kube-backup-common';

/** An entity as the backend's routes name it. */
export interface EntityName {
  kind: string;
  namespace?: string;
  name: string;
}

export interface SnapshotQuery {
  /** ISO time, date or age (`24h`, `7d`). */
  since?: string;
  until?: string;
  tag?: string;
  /** 1 to MAX_SNAPSHOT_PAGE_SIZE (500); the backend's default is 50. */
  limit?: number;
  offset?: number;
}

/** One of an entity's claims in one of its snapshots. */
export interface VolumeRef {
  snapshotId: string;
  namespace: string;
  claim: string;
}

/** A downloaded file (or folder as tar) and the name the backend gave it. */
export interface DownloadedFile {
  fileName: string;
  content: Blob;
}

/** A hydration as the frontend asks for it (the backend's request body). */
export type HydrationRequest = HydrationRequestBody;

/** The kube-backup backend, as the frontend uses it. */
export interface KubeBackupApi {
  listSnapshots(entity: EntityName | string, query?: SnapshotQuery): Promise<SnapshotList>;
  getSnapshot(entity: EntityName | string, snapshotId: string): Promise<SnapshotDetail>;
  listHydrationTargets(entity: EntityName | string): Promise<HydrationTarget[]>;
  /** What the hydration would write, previewed by the backend with a server dry run. */
  planHydration(entity: EntityName | string, request: HydrationRequest): Promise<HydrationPlan>;
  startHydration(entity: EntityName | string, request: HydrationRequest): Promise<HydrationJob>;
  listHydrations(entity: EntityName | string): Promise<HydrationJob[]>;
  getHydration(jobId: string): Promise<HydrationJob>;
  requestRestore(entity: EntityName | string, request: RestoreRequestBody): Promise<RestoreRequest>;
  listRestoreRequests(entity: EntityName | string): Promise<RestoreRequest[]>;
  getRestoreRequest(requestId: string): Promise<RestoreRequest>;
  decideRestoreRequest(requestId: string, decision: RestoreDecisionBody): Promise<RestoreRequest>;
  /** One folder of a volume as the snapshot holds it (default its root). */
  listFiles(entity: EntityName | string, volume: VolumeRef, path?: string): Promise<VolumeFolder>;
  /** Entries of a volume whose name holds `name`. */
  searchFiles(
    entity: EntityName | string,
    volume: VolumeRef,
    name: string,
  ): Promise<VolumeFileSearch>;
  /** A file's content, or a folder as tar. */
  downloadFile(
    entity: EntityName | string,
    volume: VolumeRef,
    path: string,
  ): Promise<DownloadedFile>;
}
