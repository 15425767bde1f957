import type { KubeObject, ObjectRecord } from '../snapshot/types';
import type { VolumeProgress } from '../volumes/types';

/** What happens to an object that already exists in the target. */
export type ExistingPolicy = 'skip' | 'update' | 'fail';

/** Decides per live object; hydration uses it to touch only what it labelled itself. */
export type ExistingDecision = ExistingPolicy | ((live: KubeObject) => ExistingPolicy);

/** The type an object is written as: enough to build its API path. */
export interface ObjectType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in paths. */
  resource: string;
  namespaced: boolean;
}

/** One object a restore will write, already transformed. */
export interface PlannedObject {
  type: ObjectType;
  object: KubeObject;
  /** The snapshot record it came from; absent for objects the restore adds (a missing namespace). */
  record?: ObjectRecord;
  /** Added by the restore itself (a namespace the objects need): created if absent, never reported as skipped. */
  implied?: boolean;
  /**
   * Created when absent and never changed when present, whatever the existing-object
   * policy; says why (a cluster-scoped object in a restore into mapped namespaces).
   */
  createOnly?: string;
  /** Why the object is privileged (binds cluster-admin, mounts a host path…); see privileged-content.ts. */
  privileged?: string[];
}

/** A refusal the caller overrode, kept in the report so the choice stays on record. */
export interface SafetyOverride {
  check: 'protected-namespace' | 'privileged-content';
  /** What it was about: a namespace, or an object as `Kind namespace/name`. */
  subject: string;
  /** Why the engine would have refused. */
  reason: string;
}

export type ObjectOutcomeKind =
  'created' | 'updated' | 'unchanged' | 'skipped-exists' | 'failed' | 'deleted';

export interface ObjectOutcome {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Where it came from, when a namespace mapping moved it. */
  sourceNamespace?: string;
  outcome: ObjectOutcomeKind;
  /** The API server's reason for a failure (`Invalid`, `Forbidden`…), or ours. */
  reason?: string;
  message?: string;
  /** Dry run: unified diff lines between the live object and what would be written. */
  diff?: string[];
  /** Dry run: the field paths that would change, e.g. `spec.replicas`. */
  changedFields?: string[];
  /** Why the object is privileged, when it is. */
  privileged?: string[];
}

export type OutcomeCounts = Record<ObjectOutcomeKind, number>;

export interface RestoreReport {
  snapshotId: string;
  target: { context: string; server: string };
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  /** Where the time went: reading and transforming, checking the target, writing. */
  phases: { planningMs: number; checkingMs: number; writingMs: number };
  objects: ObjectOutcome[];
  counts: OutcomeCounts;
  /** Things a user should know that did not stop the restore (a patch rule matching nothing…). */
  warnings: string[];
  /** Refusals the caller overrode (a protected namespace, privileged content). */
  overrides: SafetyOverride[];
  /** The concurrency used: objects written at once within a tier. */
  concurrency: number;
  /** What became of the data of each restored claim, when the restore handled volume data. */
  volumes?: VolumeOutcome[];
}

/** One restored claim's data. */
export interface VolumeOutcome {
  namespace: string;
  claim: string;
  /** Where it came from, when a namespace mapping moved it. */
  sourceNamespace?: string;
  /** `would-restore`: a dry run's plan. */
  outcome: 'restored' | 'would-restore' | 'skipped' | 'failed';
  /** Why it was skipped: the claim existed, the snapshot has no data for it, or it was not chosen. */
  reason?: 'claim-exists' | 'not-captured' | 'not-chosen';
  bytes?: number;
  files?: number;
  durationMs?: number;
  message?: string;
}

/**
 * Restores claims' data: claims with data get fresh volumes, and once the storage tier is
 * written (before anything that mounts them), movers fill them. See volumeDataRestore.
 */
export interface VolumeDataStep {
  /** Adjusts the plan before anything is written, and checks the data can be reached. */
  prepare(objects: PlannedObject[]): Promise<PlannedObject[]>;
  /** Fills the claims; `written` are the outcomes so far (the claims' among them). */
  fill(written: ObjectOutcome[], context: VolumeFillContext): Promise<VolumeOutcome[]>;
}

export interface VolumeFillContext {
  dryRun: boolean;
  onProgress: (progress: VolumeProgress) => void;
}

export type RestoreProgress =
  | { phase: 'loading'; done: number; total: number }
  | { phase: 'checking' }
  | { phase: 'writing'; tier: string; done: number; total: number }
  | { phase: 'waiting'; crds: string[] }
  | { phase: 'deleting'; done: number; total: number }
  | { phase: 'volumes'; volume: VolumeProgress };

export type ProgressCallback = (progress: RestoreProgress) => void;

/** How objects are changed on their way to the target, applied in this order. */
export interface TransformOptions {
  /** Source namespace → target namespace. */
  namespaceMapping?: Record<string, string>;
  /** Source storage class → target storage class. */
  storageClassMapping?: Record<string, string>;
  /** Registry (optionally with a path) → replacement, e.g. `docker.io` → `mirror.example`. */
  imageRegistryMapping?: Record<string, string>;
  /** Replicas for Deployments, StatefulSets, ReplicaSets and ReplicationControllers. */
  replicas?: number;
  addLabels?: Record<string, string>;
  addAnnotations?: Record<string, string>;
  patchRules?: PatchRule[];
}

export interface RecordSelection {
  /** Source namespaces to restore; cluster-scoped objects come along only as their dependencies. */
  includeNamespaces?: string[];
  /** A label selector over the records' labels (strict: no dependencies are added). */
  labelSelector?: string;
  /** Types, as kubectl names them (`deploy`, `configmaps`, `Ingress.networking.k8s.io`). */
  includeResources?: string[];
  excludeResources?: string[];
  /** A Backstage entity id: its labelled workloads plus what they depend on. */
  entity?: string;
  /** `kind/name` references: exactly these objects. */
  objects?: string[];
}

export interface ExecuteOptions {
  existing?: ExistingDecision;
  dryRun?: boolean;
  /** Objects written at once within a tier. */
  concurrency?: number;
  /** How long to wait for a CustomResourceDefinition to be Established. */
  crdTimeoutMs?: number;
  /**
   * Write privileged objects (bindings to cluster-admin or wildcard roles, workloads with
   * host access or privileged containers); without it they stop the restore, except in a
   * dry run, which flags them.
   */
  acceptPrivileged?: boolean;
  /** Restores claims' data between the storage tier and the workloads. */
  volumeData?: VolumeDataStep;
}

export interface RestoreOptions extends RecordSelection, TransformOptions, ExecuteOptions {
  /** Write into namespaces labelled `kube-backup.io/protected=true` (recorded in the report). */
  allowProtected?: boolean;
  /**
   * Restore what can be read when some objects are damaged in the repository; those are
   * reported as failed. Without it a damaged object stops the restore before any write.
   */
  skipDamaged?: boolean;
}

// ---- patch rules ------------------------------------------------------------------------

export interface PatchRuleMatch {
  group?: string;
  kind?: string;
  /** Glob (`*`, `?`) over the namespace the object is written to. */
  namespace?: string;
  /** Glob over the object's name. */
  name?: string;
  /** Every label given must be present with this value. */
  labels?: Record<string, string>;
}

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export interface PatchRule {
  match: PatchRuleMatch;
  jsonPatch?: JsonPatchOperation[];
  mergePatch?: Record<string, unknown>;
}
