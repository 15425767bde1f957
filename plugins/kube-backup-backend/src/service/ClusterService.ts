import { NotFoundError } from '@backstage/errors';
import { connectToCluster, type ClusterConnection } from '@kube-backup/core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterConfig } from '../config';

/**
 * Connections to the clusters named in config. A cluster given as url + service-account
 * token gets a kubeconfig written (mode 0600) to a private temporary directory, so every
 * cluster goes through core's one kubeconfig path.
 */
export class ClusterService {
  private dir?: Promise<string>;
  private readonly files = new Map<string, Promise<string>>();

  constructor(private readonly clusters: ClusterConfig[]) {}

  async connect(name: string): Promise<ClusterConnection> {
    const cluster = this.clusters.find(candidate => candidate.name === name);
    if (!cluster) throw new NotFoundError(`no cluster "${name}" in kubeBackup.clusters`);
    if (cluster.kubeconfig) {
      return connectToCluster({ kubeconfig: cluster.kubeconfig, context: cluster.context });
    }
    let file = this.files.get(name);
    if (!file) {
      file = this.writeKubeconfig(cluster);
      this.files.set(name, file);
    }
    return connectToCluster({ kubeconfig: await file, context: cluster.name });
  }

  /** Runs `work` over a connection to the cluster, closed afterwards either way. */
  async withConnection<T>(
    name: string,
    work: (connection: ClusterConnection) => Promise<T>,
  ): Promise<T> {
    const connection = await this.connect(name);
    try {
      return await work(connection);
    } finally {
      connection.client.close();
    }
  }

  async close(): Promise<void> {
    const dir = await this.dir?.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  private async writeKubeconfig(cluster: ClusterConfig): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'kube-backup-backend-'));
    const path = join(await this.dir, `${this.files.size}-kubeconfig.json`);
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': cluster.name,
      clusters: [
        {
          name: cluster.name,
          cluster: {
            server: cluster.url,
            ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
            ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
          },
        },
      ],
      users: [{ name: cluster.name, user: { token: cluster.serviceAccountToken } }],
      contexts: [{ name: cluster.name, context: { cluster: cluster.name, user: cluster.name } }],
    };
    await writeFile(path, JSON.stringify(kubeconfig), { mode: 0o600 });
    return path;
  }
}
