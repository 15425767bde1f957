import type { Options, PositionalOptions } from 'yargs';

/** Which resource types a command takes, as `create` and `restore` both accept them. */
export const resourceFilterOptions = {
  'include-resources': {
    type: 'string',
    array: true,
    describe: 'Only these resource types (deploy,configmaps,…)',
  },
  'exclude-resources': { type: 'string', array: true, describe: 'Leave these resource types out' },
} satisfies Record<string, Options>;

/** The infrastructure a target cluster differs in, for `restore` and `hydrate`. */
export const infrastructureMappingOptions = {
  'storage-class-mapping': {
    type: 'string',
    array: true,
    describe: 'Use other storage classes (old:new,…)',
  },
  'image-registry-mapping': {
    type: 'string',
    array: true,
    describe:
      'Pull images from other registries (old.example:new.example; docker.io covers short names)',
  },
} satisfies Record<string, Options>;

/** The `<snapshot>` positional of the commands that read one snapshot. */
export const snapshotPositional = {
  type: 'string',
  demandOption: true,
  describe: 'Snapshot id, unique prefix, or latest',
} satisfies PositionalOptions;

/** The refusals `restore` and `hydrate` share and how to get past them, each recorded. */
export const safetyOptions = {
  'accept-privileged': {
    type: 'boolean',
    default: false,
    describe:
      'Write privileged objects: bindings to cluster-admin or wildcard roles, workloads with host access or privileged containers (recorded in the report)',
  },
  'skip-damaged': {
    type: 'boolean',
    default: false,
    describe:
      'Go on without the objects that are damaged in the repository, reporting them as failed (exit 2)',
  },
} satisfies Record<string, Options>;

/** How data movers reach the repository and how many run, for the commands that move volume data. */
export const volumeDataOptions = {
  'volume-concurrency': {
    type: 'number',
    default: 4,
    describe: 'Data movers (pods copying volume data) running at once',
  },
  'repository-node-path': {
    type: 'string',
    describe:
      "For a file:// repository: where the cluster's nodes mount its folder (NFS, or the same path when the cluster runs here); default $KUBE_BACKUP_REPOSITORY_NODE_PATH or repositoryNodePath in the config file",
  },
  'mover-image': {
    type: 'string',
    describe:
      'The data-mover image (restic and kubectl-backup); default $KUBE_BACKUP_MOVER_IMAGE, moverImage in the config file, or docker.io/kube-backup/mover:latest',
  },
} satisfies Record<string, Options>;

export interface VolumeDataArgs {
  'volume-concurrency': number;
  'repository-node-path'?: string;
  'mover-image'?: string;
}
