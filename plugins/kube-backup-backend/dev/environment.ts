// What the dev backend runs against when you name no cluster of your own: the bundled
// Kubernetes API test server seeded with the production fixture (it plays both the
// production and the dev cluster), and a fresh repository holding a short history of
// snapshots of the sample entities, so the portal has something to show.
import { captureSnapshot, connectToCluster, Repository } from '@kube-backup/core';
import { startTestCluster } from '@kube-backup/test/src/server';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/production');

export interface DevEnvironment {
  kubeconfig: string;
  repository: string;
  password: string;
  stop(): Promise<void>;
}

/** The captures, oldest first: nightly and release snapshots of each sample entity. */
const HISTORY = [
  { namespaces: ['shop'], entities: ['storefront'], tags: ['nightly'] },
  { namespaces: ['payments'], entities: ['payments-api'], tags: ['nightly'] },
  { namespaces: ['shop'], entities: ['storefront'], tags: ['release', 'v2.4.0'] },
  { namespaces: ['shop', 'payments'], entities: ['storefront', 'payments-api'], tags: ['daily'] },
];

export async function startDevEnvironment(log: (message: string) => void): Promise<DevEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-backup-dev-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const cluster = await startTestCluster({ seed: [FIXTURES] });
  log(`test cluster at ${cluster.url} (kubeconfig ${cluster.kubeconfigPath})`);
  const password = 'kube-backup dev repository';
  const repository = `file://${join(dir, 'repository')}`;
  const repo = await Repository.init(repository, password);
  const connection = await connectToCluster({ kubeconfig: cluster.kubeconfigPath });
  try {
    for (const capture of HISTORY) {
      const snapshot = await captureSnapshot(connection, repo, capture);
      log(
        `snapshot ${snapshot.id.slice(0, 12)} of ${capture.entities.join(', ')} [${capture.tags.join(', ')}]: ${snapshot.counts.objects} objects`,
      );
    }
  } finally {
    connection.client.close();
    await repo.close();
  }
  return {
    kubeconfig: cluster.kubeconfigPath,
    repository,
    password,
    async stop() {
      await cluster.stop();
      removeDir();
    },
  };
}
