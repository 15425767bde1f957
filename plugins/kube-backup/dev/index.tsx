// Dev app: `yarn start` in this package serves it on http://localhost:3000 against the
// dev backend (`yarn start` in plugins/kube-backup-backend, on :7007, with the bundled test
// cluster). Sign in as the guest; the page shows the sample entity's backups.
import { Content, Header, Page } from '@backstage/core-components';
import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { storefront } from '@kube-backup/test/fixtures/entities';
import { EntityKubeBackupCard, EntityKubeBackupContent, kubeBackupPlugin } from '../src';

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
