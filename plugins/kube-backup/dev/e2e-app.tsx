// A page for the browser end-to-end test: the plugin's entity tab inside Backstage's test
// app, with the real KubeBackupClient talking to a real backend through this page's origin
// (/api/kube-backup, proxied by the test). The signed-in user comes from the test: its
// identity and the backend token it sends (as Backstage's fetchApi would).
import type { Entity } from '@backstage/catalog-model';
import { identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, wrapInTestApp } from '@backstage/test-utils';
import { createRoot } from 'react-dom/client';
import { KubeBackupClient } from '../src/api/KubeBackupClient';
import { kubeBackupApiRef } from '../src/api/ref';
import { KubeBackupContent } from '../src/components/KubeBackupContent';

interface E2eSettings {
  entity: Entity;
  userEntityRef: string;
  ownershipEntityRefs: string[];
  /** The Authorization header fetchApi adds. */
  authorization: string;
}

const settings = (window as unknown as { KUBE_BACKUP_E2E: E2eSettings }).KUBE_BACKUP_E2E;

const client = new KubeBackupClient({
  discoveryApi: { getBaseUrl: async () => `${window.location.origin}/api/kube-backup` },
  fetchApi: {
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('Authorization', settings.authorization);
      return fetch(input, { ...init, headers });
    },
  },
});

const identityApi = {
  getBackstageIdentity: async () => ({
    type: 'user' as const,
    userEntityRef: settings.userEntityRef,
    ownershipEntityRefs: settings.ownershipEntityRefs,
  }),
  getProfileInfo: async () => ({ displayName: settings.userEntityRef }),
  getCredentials: async () => ({ token: settings.authorization }),
  signOut: async () => undefined,
};

createRoot(document.getElementById('root')!).render(
  wrapInTestApp(
    <TestApiProvider
      apis={[
        [kubeBackupApiRef, client],
        [identityApiRef, identityApi],
      ]}
    >
      <EntityProvider entity={settings.entity}>
        <div style={{ padding: 24 }}>
          <KubeBackupContent pollIntervalMs={300} />
        </div>
      </EntityProvider>
    </TestApiProvider>,
  ),
);
