import type { RecordSource } from '../catalog/snapshot-records';
import type {
  ProgressCallback,
  RestoreReport,
  TransformOptions,
  VolumeDataStep,
} from '../restore/types';
import type { Snapshot } from '../snapshot/types';

/** What hydration reads from a repository. */
export interface HydrateSource extends RecordSource {
  /** Every snapshot, in any order. */
  listSnapshots(): Promise<Snapshot[]>;
  /** One snapshot by id, unique prefix or `latest`. */
  getSnapshot(ref: string): Promise<Snapshot>;
}

/** Which components of the source namespace to bring; none given means all of it. */
export interface ComponentChoice {
  /** Backstage entity id (`backstage.io/kubernetes-id`). */
  entity?: string;
  /** Records whose `kube-backup.io/tags` include this tag. */
  tag?: string;
  /** A label selector over the records' labels. */
  labelSelector?: string;
}

export interface HydrateOptions extends ComponentChoice {
  /** The namespace to fill, created when absent. */
  targetNamespace: string;
  /** The namespace the components come from; default: the one namespace they live in. */
  sourceNamespace?: string;
  /**
   * Snapshot id, unique prefix or `latest` (or the snapshot itself, already read); default:
   * the newest complete snapshot holding the components.
   */
  snapshot?: string | Snapshot;
  /** Secrets stay behind unless `copy`. */
  secrets?: 'skip' | 'copy';
  /** Replicas of every scaled workload; default 1. */
  replicas?: number;
  /** Update an earlier hydration in place and delete what it made that this one no longer has. */
  refresh?: boolean;
  /** Allow hydrating into the snapshot's own source namespace (in its own cluster). */
  allowSource?: boolean;
  /** More namespaces to refuse by name, besides those labelled protected (a portal's policy). */
  protectedNamespaces?: string[];
  dryRun?: boolean;
  concurrency?: number;
  crdTimeoutMs?: number;
  /** Further changes on the way (an environment's storage classes, registry, patch rules). */
  transforms?: Pick<
    TransformOptions,
    'storageClassMapping' | 'imageRegistryMapping' | 'patchRules' | 'addLabels' | 'addAnnotations'
  >;
  onProgress?: ProgressCallback;
  /** Restores the chosen claims' data from the snapshot hydration picks (see volumeDataRestore). */
  volumeData?: (snapshot: Snapshot) => VolumeDataStep;
}

export interface MissingSecret {
  name: string;
  /** `Deployment/web`, `ServiceAccount/app`…: what refers to it. */
  usedBy: string[];
}

export interface HydrateReport extends RestoreReport {
  snapshot: { id: string; name?: string; time: string; cluster: string };
  sourceNamespace: string;
  targetNamespace: string;
  /** The value of the `kube-backup.io/hydrated-from` label on everything written. */
  hydratedFrom: string;
  /** Secrets the hydrated objects refer to that the target namespace does not have. */
  missingSecrets: MissingSecret[];
  /** Autoscalers left out because they would scale the workloads back up. */
  droppedAutoscalers: string[];
}
