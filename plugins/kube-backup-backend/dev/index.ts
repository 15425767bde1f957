// Dev backend: `yarn start` in this package. The kube-backup plugin in a Backstage backend
// with the auth backend's guest sign-in (app-config.yaml at the repository root gives the
// guest an owner's group) and a catalog holding the sample entities. Unless
// KUBE_BACKUP_DEV_KUBECONFIG names a cluster of your own (with KUBE_BACKUP_DEV_REPOSITORY and
// KUBE_BACKUP_DEV_PASSWORD for its repository), it starts the bundled test cluster and a
// repository with snapshots first.
import { createBackend } from '@backstage/backend-defaults';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { sampleEntities } from '@kube-backup/test/fixtures/entities';
import { startDevEnvironment } from './environment';

async function main() {
  if (!process.env.KUBE_BACKUP_DEV_KUBECONFIG) {
    const environment = await startDevEnvironment(message =>
      process.stdout.write(`kube-backup dev: ${message}\n`),
    );
    process.env.KUBE_BACKUP_DEV_KUBECONFIG = environment.kubeconfig;
    process.env.KUBE_BACKUP_DEV_REPOSITORY = environment.repository;
    process.env.KUBE_BACKUP_DEV_PASSWORD = environment.password;
  }
  const backend = createBackend();
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(catalogServiceMock.factory({ entities: sampleEntities }));
  backend.add(import('../src'));
  await backend.start();
}

main().catch(error => {
  process.stderr.write(
    `kube-backup dev backend: ${error instanceof Error ? error.message : error}\n`,
  );
  process.exit(1);
});
