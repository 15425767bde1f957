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
  /**
   * Namespaces to hydrate into although the default protection refuses them: the system
   * namespaces (DEFAULT_PROTECTED_NAMESPACES), those labelled `kube-backup.io/protected=true`,
   * and, in the snapshot's own cluster, its source namespace and any namespace holding
   * objects no hydration wrote. Each refusal lifted this way is recorded in the report.
   */
  allowNamespaces?: string[];
  /**
   * @deprecated Use allowNamespaces. Allows the snapshot's own source namespace (in its own
   * cluster) and nothing else.
   */
  allowSource?: boolean;
  /**
   * Namespace patterns (`prod-*`, glob syntax) never to hydrate into, whatever
   * allowNamespaces says: the caller's policy, on top of the default protection.
   */
  protectedNamespaces?: string[];
  /** Write privileged workloads and bindings (recorded in the report); see ExecuteOptions. */
  acceptPrivileged?: boolean;
  /** Hydrate what can be read when objects are damaged in the repository; see RestoreOptions. */
  skipDamaged?: boolean;
  /**
   * Appended to every Ingress host (`shop.example.com` → `shop.example.com.<suffix>`). An
   * Ingress that still answers for a production host, or for every host, is left out.
   */
  ingressHostSuffix?: string;
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
  /** Ingresses left out because they would compete with production for its traffic. */
  leftOutIngresses: LeftOutIngress[];
}

export interface LeftOutIngress {
  name: string;
  hosts: string[];
  /** `host shop.example.com is a production host`, `it answers for every host`. */
  reason: string;
  /** It answers for every host (a rule without one): no host suffix can change that. */
  catchAll: boolean;
}
