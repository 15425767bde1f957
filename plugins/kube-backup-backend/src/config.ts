import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { VolumeDataSettings } from '@kube-backup/core';

export interface ClusterConfig {
  name: string;
  url?: string;
  serviceAccountToken?: string;
  caData?: string;
  skipTLSVerify?: boolean;
  kubeconfig?: string;
  context?: string;
}

export interface HydrationTargetConfig {
  name: string;
  title?: string;
  cluster: string;
  namespaces: string[];
  entities?: string[];
  allowedOwners?: string[];
  allowSecrets: boolean;
}

/** A namespace (name or pattern) and the entities that may claim it without a kubernetes-id. */
export interface NamespaceGrant {
  namespace: string;
  /** Full lower-case refs: owners (groups, users) of such entities, or the entities themselves. */
  owners: string[];
}

export interface KubeBackupConfig {
  repository: { location: string; password: string };
  snapshotCacheMs: number;
  clusters: ClusterConfig[];
  productionCluster?: string;
  targets: HydrationTargetConfig[];
  protectedNamespaces: string[];
  namespaceOwners: NamespaceGrant[];
  restore: {
    /** Whether the owner who asked for a restore may approve it too. Default false. */
    allowSelfApproval: boolean;
  };
  /** How jobs move volume data; the repository's location is the one above. */
  volumes: VolumeDataSettings;
}

/** Reads and checks the `kubeBackup` config block. */
export function readKubeBackupConfig(root: Config): KubeBackupConfig {
  const config = root.getConfig('kubeBackup');
  const repository = config.getConfig('repository');
  const clusters = (config.getOptionalConfigArray('clusters') ?? []).map(cluster => ({
    name: cluster.getString('name'),
    url: cluster.getOptionalString('url'),
    serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
    caData: cluster.getOptionalString('caData'),
    skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify'),
    kubeconfig: cluster.getOptionalString('kubeconfig'),
    context: cluster.getOptionalString('context'),
  }));
  for (const cluster of clusters) {
    if (!cluster.kubeconfig && !(cluster.url && cluster.serviceAccountToken)) {
      throw new InputError(
        `kubeBackup.clusters "${cluster.name}" needs url and serviceAccountToken, or kubeconfig`,
      );
    }
  }
  const names = new Set(clusters.map(cluster => cluster.name));
  const targets = (config.getOptionalConfigArray('hydration.targets') ?? []).map(target => ({
    name: target.getString('name'),
    title: target.getOptionalString('title'),
    cluster: target.getString('cluster'),
    namespaces: target.getStringArray('namespaces'),
    entities: target.getOptionalStringArray('entities')?.map(ref => ref.toLowerCase()),
    allowedOwners: target.getOptionalStringArray('allowedOwners')?.map(ref => ref.toLowerCase()),
    allowSecrets: target.getOptionalBoolean('allowSecrets') ?? false,
  }));
  for (const target of targets) {
    if (!names.has(target.cluster)) {
      throw new InputError(
        `kubeBackup.hydration.targets "${target.name}" names cluster "${target.cluster}", which is not in kubeBackup.clusters`,
      );
    }
  }
  const productionCluster = config.getOptionalString('productionCluster');
  if (productionCluster && !names.has(productionCluster)) {
    throw new InputError(
      `kubeBackup.productionCluster "${productionCluster}" is not in kubeBackup.clusters`,
    );
  }
  const namespaceOwners = (config.getOptionalConfigArray('namespaceOwners') ?? []).map(
    (grant, index) => ({
      namespace: grant.getString('namespace'),
      owners: grant
        .getStringArray('owners')
        .map(ref => fullEntityRef(ref, `kubeBackup.namespaceOwners[${index}].owners`)),
    }),
  );
  return {
    repository: {
      location: repository.getString('location'),
      password: repository.getString('password'),
    },
    snapshotCacheMs: (config.getOptionalNumber('snapshotCacheSeconds') ?? 15) * 1000,
    clusters,
    productionCluster: productionCluster ?? clusters[0]?.name,
    targets,
    // On top of the engine's own (DEFAULT_PROTECTED_NAMESPACES), which always apply.
    protectedNamespaces: config.getOptionalStringArray('protectedNamespaces') ?? [],
    namespaceOwners,
    restore: {
      allowSelfApproval: config.getOptionalBoolean('restore.allowSelfApproval') ?? false,
    },
    volumes: {
      location: repository.getString('location'),
      nodePath: config.getOptionalString('volumes.repositoryNodePath'),
      moverImage: config.getOptionalString('volumes.moverImage'),
      concurrency: volumeConcurrency(config.getOptionalNumber('volumes.concurrency')),
    },
  };
}

/** `group:shop-team` → `group:default/shop-team`; a ref without a kind is a config error. */
function fullEntityRef(ref: string, key: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref, { defaultNamespace: 'default' })).toLowerCase();
  } catch {
    throw new InputError(`${key}: "${ref}" is not an entity ref such as group:default/shop-team`);
  }
}

function volumeConcurrency(value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InputError(`kubeBackup.volumes.concurrency must be a whole number ≥ 1, not ${value}`);
  }
  return value;
}
