import type {
  ClusterConnection,
  ConnectOptions,
  OpenOptions,
  Repository,
  VolumeDataSettings,
} from '@kube-backup/core';
import type { GlobalOptions } from './global-options';
import { resolveRepositorySettings, type RepositorySettings } from './settings';
import type { VolumeDataArgs } from './shared-options';
import { wholeNumber } from './whole-number';

const openHandles: Array<() => Promise<void> | void> = [];

/**
 * Releases what commands opened: the repository's lock and the cluster connection's
 * sockets. main calls it once the command has finished, whether it failed or not.
 */
export async function closeSession(): Promise<void> {
  await Promise.allSettled(openHandles.splice(0).map(close => close()));
}

/**
 * A cluster connection from the kubectl-style flags. What interrupted operations left in
 * that cluster (mover pods, their Secrets, volume snapshots) is removed meanwhile.
 */
export async function connect(
  argv: GlobalOptions,
  options: Pick<ConnectOptions, 'context' | 'concurrency'> = {},
): Promise<ClusterConnection> {
  const { connectToCluster } = await import('@kube-backup/core');
  const connection = await connectToCluster({
    kubeconfig: argv.kubeconfig,
    context: options.context ?? argv.context,
    concurrency: options.concurrency,
  });
  const sweep = removeLeftovers(connection);
  openHandles.push(async () => {
    await sweep;
    connection.client.close();
  });
  return connection;
}

async function removeLeftovers(connection: ClusterConnection): Promise<void> {
  const core = await import('@kube-backup/core');
  try {
    const { removed } = await core.removeLeftovers(connection.client);
    const operations = [...new Set(removed.map(item => item.operation))];
    if (removed.length > 0) {
      const kinds = new Map<string, number>();
      for (const { kind } of removed) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      process.stderr.write(
        `removed what interrupted operation${operations.length > 1 ? 's' : ''} ${operations.join(', ')} left: ${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}\n`,
      );
    }
  } catch (error) {
    process.stderr.write(
      `warning: could not remove what interrupted operations left: ${(error as Error).message}\n`,
    );
  }
}

/** The namespace a command works in: -n, else the context's, else `default`. */
export function namespaceOf(argv: GlobalOptions, connection: ClusterConnection): string {
  return argv.namespace ?? connection.namespace;
}

/** Where the repository is and its password, from --repository, the environment or the config file. */
export async function repositorySettings(
  argv: GlobalOptions & Partial<VolumeDataArgs>,
): Promise<RepositorySettings> {
  return resolveRepositorySettings({
    repository: argv.repository,
    passwordFile: argv['password-file'],
    configFile: argv.config,
    nodePath: argv['repository-node-path'],
    moverImage: argv['mover-image'],
    env: process.env,
  });
}

/** How data movers reach the repository, from the flags, environment and config file. */
export async function volumeDataSettings(
  argv: GlobalOptions & VolumeDataArgs,
): Promise<VolumeDataSettings> {
  const concurrency = wholeNumber('--volume-concurrency', argv['volume-concurrency'], 1);
  const settings = await repositorySettings(argv);
  return {
    location: settings.location,
    nodePath: settings.nodePath,
    moverImage: settings.moverImage,
    concurrency,
  };
}

/** Creates the repository where the settings say, with the password they give. */
export async function initRepository(argv: GlobalOptions): Promise<Repository> {
  const core = await import('@kube-backup/core');
  const settings = await repositorySettings(argv);
  const repository = await core.Repository.init(settings.location, settings.password);
  openHandles.push(() => repository.close());
  return repository;
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
