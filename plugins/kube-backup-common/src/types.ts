// Shapes of the kube-backup backend's JSON API. Browser-safe: no Node imports. Request
// bodies are in requests.ts, with the schemas that parse them.
import type { FilesRestoreScope, RestoreScope } from './requests';

/** Times are ISO 8601 strings. */
export type IsoTime = string;

export interface SnapshotSummary {
  id: string;
  name?: string;
  time: IsoTime;
  cluster: { name: string; server: string; version?: string };
  tags: string[];
  entities: string[];
  namespaces: string[];
  status: 'complete' | 'partial';
  objectCount: number;
  restorableCount: number;
  errorCount: number;
  volumeCount: number;
  durationMs: number;
  /**
   * Bytes of object content the snapshot stored plus those it re-used from earlier ones
   * (volume data not included); absent when the snapshot does not record it: unknown.
   */
  sizeBytes?: number;
  /** Bytes of the volume data it captured; absent when it captured none. */
  volumeDataBytes?: number;
}

export interface SnapshotList {
  items: SnapshotSummary[];
  /** Snapshots matching the entity and filters, before paging. */
  totalCount: number;
  offset: number;
  limit: number;
}

export interface SnapshotObject {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  labels?: Record<string, string>;
  tags?: string[];
  /** False for controller-owned children recorded for search only. */
  restorable: boolean;
  node?: string;
  phase?: string;
}

export interface SnapshotImage {
  container: string;
  image: string;
  /** Absent when the pod status did not report one: unknown, not verified. */
  digest?: string;
}

export interface SnapshotVolume {
  namespace: string;
  claim: string;
  size?: string;
  storageClass?: string;
  volumeName?: string;
  dataSnapshotId?: string;
  /** What became of the claim's data; absent in snapshots older than volume data: unknown. */
  data?: SnapshotVolumeData;
}

export interface SnapshotVolumeData {
  status: 'captured' | 'failed' | 'not-captured';
  /** Why it was not captured. */
  reason?: string;
  /** snapshot: from a CSI VolumeSnapshot; fs: copied from the live claim. */
  method?: 'snapshot' | 'fs';
  /** application: a pre-backup hook quiesced the application; crash: as after a power cut. */
  consistency?: 'crash' | 'application';
  bytes?: number;
  files?: number;
  /** What the volume repository grew by. */
  addedBytes?: number;
  durationMs?: number;
  errors?: string[];
  hooks?: Array<{
    phase: 'pre' | 'post';
    pod: string;
    container: string;
    outcome: 'succeeded' | 'failed' | 'timed-out';
    message?: string;
  }>;
}

export interface SnapshotDetail extends SnapshotSummary {
  selection: {
    namespaces: string[] | 'all';
    labelSelector?: string;
    entities: string[];
  };
  /** The entity's objects, grouped by kind (`Deployment`, `apps/v1` is in each object). */
  objectsByKind: Record<string, SnapshotObject[]>;
  images: SnapshotImage[];
  volumes: SnapshotVolume[];
  errors: Array<{ resource?: string; namespace?: string; name?: string; message: string }>;
}

export interface HydrationTarget {
  name: string;
  title?: string;
  cluster: string;
  /** Namespace patterns (`dev-*`); a hydration names one namespace matching one of them. */
  namespaces: string[];
  /**
   * Whether a hydration into this target may bring the production Secrets along, for this
   * caller: the target allows them and the caller owns the entity.
   */
  allowSecrets: boolean;
}

export interface HydrationTargetList {
  items: HydrationTarget[];
}

/** What a hydration would do to one object, by a server dry run against the target now. */
export type PlannedObjectOutcome =
  'created' | 'updated' | 'unchanged' | 'skipped-exists' | 'failed';

export interface HydrationPlanObject {
  namespace?: string;
  name: string;
  outcome: PlannedObjectOutcome;
  /** Why it would fail, or what else the dry run said about it. */
  message?: string;
}

export interface HydrationPlanKind {
  group: string;
  version: string;
  kind: string;
  /**
   * The kind's plural resource name from the target cluster's discovery (`networkpolicies`);
   * absent when the target does not serve the kind.
   */
  resource?: string;
  objects: HydrationPlanObject[];
}

/**
 * What a hydration of the entity into a namespace would write, computed by the backend with
 * the same choice of objects, exclusions and transforms as the hydration itself, and checked
 * by the target's API server in a dry run (nothing is written).
 */
export interface HydrationPlan {
  snapshotId: string;
  cluster: string;
  namespace: string;
  /** The namespace of the snapshot the entity's objects are copied from. */
  sourceNamespace: string;
  /** By kind, sorted by kind. */
  kinds: HydrationPlanKind[];
  /** Secrets the objects refer to that the target namespace would not have. */
  missingSecrets: Array<{ name: string; usedBy: string[] }>;
  /** Autoscalers left out because they would scale the workloads back up. */
  droppedAutoscalers: string[];
  /** Ingresses left out because they would take production's traffic, and why. */
  leftOutIngresses: Array<{ name: string; reason: string }>;
  /** What else the plan found worth telling (cluster-scoped objects left out…). */
  warnings: string[];
}

export type JobStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface JobLogLine {
  time: IsoTime;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface HydrationJob {
  id: string;
  entityRef: string;
  snapshotId: string;
  target: string;
  cluster: string;
  namespace: string;
  status: JobStatus;
  /** 0..1, or undefined while unknown. */
  progress?: number;
  createdBy: string;
  createdAt: IsoTime;
  startedAt?: IsoTime;
  finishedAt?: IsoTime;
  error?: string;
  log: JobLogLine[];
  /** What the engine reported when it finished (created/updated/skipped/failed counts…). */
  result?: Record<string, unknown>;
}

export interface HydrationJobList {
  items: HydrationJob[];
}

/**
 * `nothing-restored`: approved and run, but nothing of the snapshot matched the request's
 * scope within its entity, so nothing was written (`outcomeMessage` says why).
 */
export type RestoreRequestStatus =
  'pending' | 'rejected' | 'approved' | 'running' | 'succeeded' | 'nothing-restored' | 'failed';

export interface RestoreRequest {
  id: string;
  entityRef: string;
  snapshotId: string;
  cluster: string;
  /** Of objects (narrowed by `scope`), or of single files (`files`). */
  type: 'objects' | 'files';
  scope: RestoreScope;
  /** For a request of type files: which paths of which claim, into which claim, how. */
  files?: FilesRestoreScope;
  reason: string;
  status: RestoreRequestStatus;
  requestedBy: string;
  requestedAt: IsoTime;
  decidedBy?: string;
  decidedAt?: IsoTime;
  decisionComment?: string;
  startedAt?: IsoTime;
  finishedAt?: IsoTime;
  /**
   * What the engine reported when it finished: for objects, counts and per-object outcomes;
   * for files, `paths` (FilesRestorePathOutcome[]) with what became of each path.
   */
  outcome?: Record<string, unknown>;
  /** For `nothing-restored`: why nothing was written, in a sentence. */
  outcomeMessage?: string;
  error?: string;
  /** While it runs: 0..1, or undefined while unknown. */
  progress?: number;
  /** What the restore did, step by step (absent from backends that do not record it). */
  log?: JobLogLine[];
}

export interface RestoreRequestList {
  items: RestoreRequest[];
}

/** One file, folder or link in a volume as a snapshot holds it. */
export interface VolumeFileEntry {
  /** Absolute from the volume's root (`/conf/app.yaml`). */
  path: string;
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Bytes, for files. */
  size?: number;
  /** As `ls -l` shows it: `-rw-r--r--`. */
  permissions: string;
  uid: number;
  gid: number;
  /** Modification time, RFC 3339. */
  mtime: IsoTime;
}

/** One folder of a volume in a snapshot. */
export interface VolumeFolder {
  snapshotId: string;
  namespace: string;
  claim: string;
  /** The folder listed (`/` for the root). */
  path: string;
  /** Its entries, folders first, then by name. */
  entries: VolumeFileEntry[];
  /** Whether the caller may download files of this entity (the backend checks again). */
  canDownload: boolean;
}

/** Entries of a volume whose name holds the searched text. */
export interface VolumeFileSearch {
  snapshotId: string;
  namespace: string;
  claim: string;
  entries: VolumeFileEntry[];
  /** More entries matched than MAX_FILE_SEARCH_RESULTS: narrow the search. */
  truncated: boolean;
  canDownload: boolean;
}

/** What became of one path of a files restore. */
export interface FilesRestorePathOutcome {
  path: string;
  /** Where it went in the target claim. */
  target: string;
  outcome: 'restored' | 'skipped' | 'failed';
  /** Files written where nothing was, written over live ones, put beside live ones, left. */
  restored: number;
  overwritten: number;
  renamed: number;
  skipped: number;
  message?: string;
}
