// Dev app: `yarn start` in this package with @backstage/cli (`backstage-cli package start`),
// against a backend running the kube-backup backend plugin (app-config `backend.baseUrl`,
// default http://localhost:7007) pointed at a cluster and a repository with snapshots of
// the sample entity below. @backstage/cli is not a dependency here (it is large); add it to
// run this. test/e2e/frontend.test.ts serves the same content without it.
import type { Entity } from '@backstage/catalog-model';
import { Content, Header, Page } from '@backstage/core-components';
import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityKubeBackupCard, EntityKubeBackupContent, kubeBackupPlugin } from '../src';

const storefront: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'storefront',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'storefront' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'shop-team' },
};

createDevApp()
  .registerPlugin(kubeBackupPlugin)
  .addPage({
    title: 'Backups',
    path: '/kube-backup',
    element: (
      <Page themeId="service">
        <Header title="storefront" subtitle="kube-backup on a sample entity" />
        <Content>
          <EntityProvider entity={storefront}>
            <EntityKubeBackupCard />
            <EntityKubeBackupContent />
          </EntityProvider>
        </Content>
      </Page>
    ),
  })
  .render();
