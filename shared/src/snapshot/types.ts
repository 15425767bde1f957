/** A Kubernetes object as raw JSON: every field kept, including ones no schema knows. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

export interface KubeObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** How one captured object is recorded in a snapshot. */
export interface ObjectRecord {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name as served, e.g. `deployments`. */
  resource: string;
  namespace?: string;
  name: string;
  labels?: Record<string, string>;
  /** Tags from the object's `kube-backup.io/tags` annotation (or its pod template's). */
  tags?: string[];
  /** Content id of the sanitised object in the repository; absent for records kept only for search. */
  content?: string;
  /** True for controller-owned children (Pods, ReplicaSets…) that are recorded but never restored. */
  restorable: boolean;
  /** For pods: what ran, where, and in which phase. */
  images?: ImageRecord[];
  node?: string;
  phase?: string;
  owner?: { kind: string; name: string };
}

export interface ImageRecord {
  container: string;
  image: string;
  /** Resolved digest from pod status (`sha256:…`), or undefined when the status did not report one. */
  digest?: string;
}

export interface ClusterIdentity {
  name: string;
  server: string;
  version?: string;
}

export interface SnapshotSelection {
  namespaces: string[] | 'all';
  excludeNamespaces: string[];
  labelSelector?: string;
  includeResources?: string[];
  excludeResources?: string[];
  includeClusterResources: 'auto' | 'true' | 'false';
  annotatedOnly: boolean;
  entities: string[];
}

export interface SnapshotError {
  resource?: string;
  namespace?: string;
  name?: string;
  message: string;
}

export type SnapshotStatus = 'complete' | 'partial';

/**
 * The snapshot document. Object records are stored in content-addressed record lists
 * (one per namespace plus one for cluster-scoped objects), so a snapshot whose objects did
 * not change re-uses every list and costs only this document.
 */
export interface Snapshot {
  id: string;
  name?: string;
  time: string;
  cluster: ClusterIdentity;
  selection: SnapshotSelection;
  tags: string[];
  entities: string[];
  namespaces: string[];
  /** Content ids of record lists (each a JSON `ObjectRecord[]`). */
  recordLists: string[];
  counts: { objects: number; restorable: number; byKind: Record<string, number> };
  images: ImageRecord[];
  volumes: VolumeRecord[];
  /**
   * The storage classes the captured objects ask for, and whether each existed in the
   * source cluster at capture (a claim of one that did not was Pending there). Absent when
   * the classes could not be listed, and in snapshots older than this record: unknown.
   */
  storageClasses?: StorageClassRecord[];
  stats: { newBytes: number; reusedBytes: number; storedObjects: number; reusedObjects: number };
  durationMs: number;
  status: SnapshotStatus;
  errors: SnapshotError[];
  hostname?: string;
}

export interface StorageClassRecord {
  name: string;
  existed: boolean;
}

export interface VolumeRecord {
  namespace: string;
  claim: string;
  size?: string;
  storageClass?: string;
  volumeName?: string;
  /** The restic snapshot in the volume repository holding the claim's data, when captured. */
  dataSnapshotId?: string;
  /** What became of the claim's data; absent in snapshots older than volume data (unknown). */
  data?: VolumeData;
}

export type VolumeDataStatus = 'captured' | 'failed' | 'not-captured';
export type VolumeMethod = 'snapshot' | 'fs';

/** How one claim's data was captured (or why it was not). */
export interface VolumeData {
  status: VolumeDataStatus;
  /** Why the data was not captured (not chosen by the volume selection, say). */
  reason?: string;
  method?: VolumeMethod;
  /** crash: as a sudden power cut would leave it; application: a pre-backup hook quiesced it. */
  consistency?: 'crash' | 'application';
  hooks?: HookRecord[];
  /** Size and file count of the data as captured. */
  bytes?: number;
  files?: number;
  /** What the volume repository grew by (after deduplication and compression). */
  addedBytes?: number;
  durationMs?: number;
  errors?: string[];
  /** A VolumeSnapshot left in the cluster as a fast local restore point. */
  volumeSnapshot?: string;
}

/** One application hook run around a volume's capture. */
export interface HookRecord {
  phase: 'pre' | 'post';
  /** Which annotations declared it. */
  source: 'kube-backup' | 'velero';
  pod: string;
  container: string;
  command: string[];
  onError: 'fail' | 'continue';
  outcome: 'succeeded' | 'failed' | 'timed-out';
  exitCode?: number;
  /** The end of what it printed, or why it could not run. */
  message?: string;
}
