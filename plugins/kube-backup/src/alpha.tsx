/**
 * kube-backup for Backstage's new frontend system: the plugin with its API, the entity tab
 * ("Backups") and the overview card, as blueprint extensions.
 *
 * ```ts
 * // packages/app/src/App.tsx
 * import kubeBackupPlugin from '@kube-backup/backstage-plugin-kube-backup/alpha';
 * export default createApp({ features: [catalogPlugin, kubeBackupPlugin] });
 * ```
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  type ExtensionDefinition,
  type OverridableFrontendPlugin,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { KubeBackupClient } from './api/KubeBackupClient';
import { kubeBackupApiRef } from './api/ref';
import { isKubeBackupAvailable } from '@kube-backup/backstage-plugin-kube-backup-common';

/** `api:kube-backup`: the backend client over discoveryApi and fetchApi. */
export const kubeBackupApi: ExtensionDefinition = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: kubeBackupApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new KubeBackupClient({ discoveryApi, fetchApi }),
    }),
});

/** `entity-content:kube-backup`: the "Backups" tab, on entities tied to Kubernetes workloads. */
export const kubeBackupEntityContent: ExtensionDefinition = EntityContentBlueprint.make({
  params: {
    path: '/kube-backup',
    title: 'Backups',
    filter: isKubeBackupAvailable,
    loader: () => import('./components/KubeBackupContent').then(m => <m.KubeBackupContent />),
  },
});

/** `entity-card:kube-backup`: the overview card. */
export const kubeBackupEntityCard: ExtensionDefinition = EntityCardBlueprint.make({
  params: {
    filter: isKubeBackupAvailable,
    loader: () => import('./components/KubeBackupCard').then(m => <m.KubeBackupCard />),
  },
});

/**
 * The kube-backup frontend plugin for the new frontend system. Its type is spelled out, as
 * the extensions' are: an inferred one would name Backstage packages this package does not
 * depend on, which an app's type check cannot resolve.
 */
const kubeBackupPlugin: OverridableFrontendPlugin<
  Record<string, never>,
  Record<string, never>,
  {
    'api:kube-backup': ExtensionDefinition;
    'entity-content:kube-backup': ExtensionDefinition;
    'entity-card:kube-backup': ExtensionDefinition;
  }
> = createFrontendPlugin({
  pluginId: 'kube-backup',
  info: { packageJson: () => import('../package.json') },
  extensions: [kubeBackupApi, kubeBackupEntityContent, kubeBackupEntityCard],
});

export default kubeBackupPlugin;
export { kubeBackupApiRef } from './api/ref';
export { isKubeBackupAvailable } from '@kube-backup/backstage-plugin-kube-backup-common';
