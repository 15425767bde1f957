import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { KubeBackupClient } from './api/KubeBackupClient';
import { kubeBackupApiRef } from './api/ref';

export const rootRouteRef = createRouteRef({ id: 'kube-backup' });

/** The kube-backup frontend plugin (legacy frontend system). */
export const kubeBackupPlugin = createPlugin({
  id: 'kube-backup',
  apis: [
    createApiFactory({
      api: kubeBackupApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new KubeBackupClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The entity tab: `<EntityLayout.Route path="/backups" title="Backups"><EntityKubeBackupContent /></EntityLayout.Route>`. */
export const EntityKubeBackupContent = kubeBackupPlugin.provide(
  createRoutableExtension({
    name: 'EntityKubeBackupContent',
    component: () => import('./components/KubeBackupContent').then(m => m.KubeBackupContent),
    mountPoint: rootRouteRef,
  }),
);

/** The overview card: the newest snapshot and pending restore requests. */
export const EntityKubeBackupCard = kubeBackupPlugin.provide(
  createComponentExtension({
    name: 'EntityKubeBackupCard',
    component: {
      lazy: () => import('./components/KubeBackupCard').then(m => m.KubeBackupCard),
    },
  }),
);
