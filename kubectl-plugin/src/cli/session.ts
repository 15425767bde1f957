import type { ClusterConnection, Repository } from '@kube-backup/core';
import type { GlobalOptions } from './global-options';

/** A cluster connection from the kubectl-style flags. */
export async function connect(argv: GlobalOptions): Promise<ClusterConnection> {
  const { connectToCluster } = await import('@kube-backup/core');
  return connectToCluster({ kubeconfig: argv.kubeconfig, context: argv.context });
}

/** The namespace a command works in: -n, else the context's, else `default`. */
export function namespaceOf(argv: GlobalOptions, connection: ClusterConnection): string {
  return argv.namespace ?? connection.namespace;
}

/** Opens the repository named by --repository, the environment or the config file. */
export async function openRepository(argv: GlobalOptions): Promise<Repository> {
  const core = await import('@kube-backup/core');
  const settings = await core.resolveRepositorySettings({
    repository: argv.repository,
    passwordFile: argv['password-file'],
    configFile: argv.config,
    env: process.env,
  });
  return core.Repository.open(settings.location, settings.password);
}
