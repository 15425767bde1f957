import type {
  ClusterConnection,
  OpenOptions,
  Repository,
  RepositorySettings,
} from '@kube-backup/core';
import type { GlobalOptions } from './global-options';

const openHandles: Array<() => Promise<void> | void> = [];

/**
 * Releases what commands opened: the repository's lock and the cluster connection's
 * sockets. main calls it once the command has finished, whether it failed or not.
 */
export async function closeSession(): Promise<void> {
  await Promise.allSettled(openHandles.splice(0).map(close => close()));
}

/** A cluster connection from the kubectl-style flags. */
export async function connect(argv: GlobalOptions): Promise<ClusterConnection> {
  const { connectToCluster } = await import('@kube-backup/core');
  const connection = await connectToCluster({ kubeconfig: argv.kubeconfig, context: argv.context });
  openHandles.push(() => connection.client.close());
  return connection;
}

/** The namespace a command works in: -n, else the context's, else `default`. */
export function namespaceOf(argv: GlobalOptions, connection: ClusterConnection): string {
  return argv.namespace ?? connection.namespace;
}

/** Where the repository is and its password, from --repository, the environment or the config file. */
export async function repositorySettings(argv: GlobalOptions): Promise<RepositorySettings> {
  const core = await import('@kube-backup/core');
  return core.resolveRepositorySettings({
    repository: argv.repository,
    passwordFile: argv['password-file'],
    configFile: argv.config,
    env: process.env,
  });
}

/**
 * Opens the repository. A snapshot document that cannot be read is left out of listings
 * (and of `latest`) with a warning naming it, so one damaged file hides nothing else.
 */
export async function openRepository(
  argv: GlobalOptions,
  options: Pick<OpenOptions, 'lockWaitMs' | 'onLockWait'> = {},
): Promise<Repository> {
  const core = await import('@kube-backup/core');
  const settings = await repositorySettings(argv);
  const warned = new Set<string>();
  const repository = await core.Repository.open(settings.location, settings.password, {
    ...options,
    onUnreadableSnapshot: (id, error) => {
      if (warned.has(id)) return;
      warned.add(id);
      process.stderr.write(
        `warning: snapshot ${id.slice(0, 8)} is damaged and left out (${error.message}); run kubectl backup verify\n`,
      );
    },
  });
  openHandles.push(() => repository.close());
  return repository;
}
