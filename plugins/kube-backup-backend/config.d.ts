export interface Config {
  /** kube-backup backend plugin. */
  kubeBackup?: {
    repository: {
      /** `file:///var/lib/kube-backup` or `s3://bucket/prefix?endpoint=…&region=…`. */
      location: string;
      /**
       * Repository password. Supply it from the environment: `password: ${KUBE_BACKUP_PASSWORD}`.
       * @visibility secret
       */
      password: string;
    };
    /** How long a listing of the repository's snapshots is re-used, in seconds. Default 15. */
    snapshotCacheSeconds?: number;
    /** Clusters this backend may hydrate into and restore to. */
    clusters?: Array<{
      name: string;
      /** API server URL; required with serviceAccountToken. */
      url?: string;
      /**
       * Service-account token with write access to the namespaces it serves.
       * @visibility secret
       */
      serviceAccountToken?: string;
      /** Base64 PEM of the API server's CA. */
      caData?: string;
      skipTLSVerify?: boolean;
      /** Instead of url + token: a kubeconfig file and (optionally) one of its contexts. */
      kubeconfig?: string;
      context?: string;
    }>;
    /** The cluster that restores into production go to; default the first cluster. */
    productionCluster?: string;
    hydration?: {
      targets?: Array<{
        name: string;
        title?: string;
        cluster: string;
        /** Namespace patterns such as `dev-*` or `test-*`. */
        namespaces: string[];
        /** Entity refs this target is for; absent means every entity. */
        entities?: string[];
        /** Only users whose ownership refs include one of these may use it; absent means anyone. */
        allowedOwners?: string[];
        /** Whether hydrations into this target may bring production Secrets along. Default false. */
        allowSecrets?: boolean;
      }>;
    };
    /**
     * Namespaces never hydrated into (production): names or patterns such as `prod-*`, on top
     * of the engine's own (kube-system, kube-public, kube-node-lease, default), which always
     * apply.
     */
    protectedNamespaces?: string[];
    /**
     * What an entity without a `backstage.io/kubernetes-id` may claim. Such an entity names its
     * objects by `backstage.io/kubernetes-namespace` and/or `kubernetes-label-selector` alone,
     * and reaches only the namespaces granted here to it or to one of its owners: a
     * namespace-only claim on another namespace reaches nothing, and a selector applies only
     * inside granted namespaces. Entities with a kubernetes-id are not limited by this.
     */
    namespaceOwners?: Array<{
      /** A namespace name, or a pattern such as `shop-*`. */
      namespace: string;
      /** Refs of owners (`group:default/shop-team`, `user:default/alice`) or of entities. */
      owners: string[];
    }>;
    restore?: {
      /**
       * Whether an owner may approve a restore request they made themselves. Default false:
       * four eyes, another owner approves. Restores go to `productionCluster`, so this is the
       * setting for that target.
       */
      allowSelfApproval?: boolean;
    };
    /** How restores and hydrations move volume data (data movers in the target cluster). */
    volumes?: {
      /**
       * For a `file://` repository: where the clusters' nodes mount its folder (NFS, a
       * hostPath). Without it, data movers cannot reach a local repository.
       */
      repositoryNodePath?: string;
      /** The data-mover image. Default docker.io/kube-backup/mover:latest. */
      moverImage?: string;
      /** Data movers running at once per job. Default 4. */
      concurrency?: number;
    };
  };
}
