import type {
  ClusterConnection,
  ReaderChoice,
  Repository,
  ResticReader,
  VolumeDataSettings,
} from '@kube-backup/core';
import type { GlobalOptions } from './global-options';
import { connect, repositorySettings } from './session';
import type { VolumeDataArgs } from './shared-options';

/** What the `files` commands share: where restic runs, how loudly, how movers reach data. */
export const filesOptions = {
  via: {
    choices: ['auto', 'local', 'pod'] as const,
    default: 'auto' as ReaderChoice,
    describe:
      'Where restic reads the volume data: on this machine (local), in a mover pod over exec (pod), or local when restic is on PATH (auto)',
  },
  'repository-node-path': {
    type: 'string',
    describe:
      "For a file:// repository: where the cluster's nodes mount its folder (default $KUBE_BACKUP_REPOSITORY_NODE_PATH or repositoryNodePath in the config file)",
  },
  'mover-image': {
    type: 'string',
    describe:
      'The data-mover image (default $KUBE_BACKUP_MOVER_IMAGE, moverImage in the config file, or docker.io/kube-backup/mover:latest)',
  },
} as const;

export interface FilesArgs extends GlobalOptions, Omit<VolumeDataArgs, 'volume-concurrency'> {
  via: ReaderChoice;
}

/** The cluster, connected once and only when a command needs it. */
export class LazyCluster {
  private connection?: Promise<ClusterConnection>;

  constructor(private readonly argv: GlobalOptions) {}

  get(): Promise<ClusterConnection> {
    this.connection ??= connect(this.argv);
    return this.connection;
  }

  /** -n, else the context's namespace (which needs the kubeconfig, not the cluster). */
  async namespace(): Promise<string> {
    return this.argv.namespace ?? (await this.get()).namespace;
  }
}

export async function filesSettings(argv: FilesArgs): Promise<VolumeDataSettings> {
  const settings = await repositorySettings(argv);
  return {
    location: settings.location,
    nodePath: settings.nodePath,
    moverImage: settings.moverImage,
  };
}

/** A reader of volume data, saying at --v=1 where it reads. */
export async function openFilesReader(
  argv: FilesArgs,
  repository: Repository,
  cluster: LazyCluster,
): Promise<ResticReader> {
  const core = await import('@kube-backup/core');
  const reader = await core.openResticReader({
    repository,
    settings: await filesSettings(argv),
    via: argv.via,
    cluster: async () => ({
      connection: await cluster.get(),
      namespace: await cluster.namespace(),
    }),
  });
  if ((argv.v ?? 0) >= 1) process.stderr.write(`reading volume data with ${reader.description}\n`);
  return reader;
}
