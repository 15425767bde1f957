// Dev app: `yarn start` in this package serves it on http://localhost:3000 against the
// dev backend (`yarn start` in plugins/kube-backup-backend, on :7007, with the bundled test
// cluster). Sign in as the guest; /kube-backup shows storefront's backups (the guest owns
// it), /payments-api those of an entity the guest does not own.
import type { Entity } from '@backstage/catalog-model';
import { Content, Header, Page } from '@backstage/core-components';
import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { paymentsApi, storefront } from '@kube-backup/test/fixtures/entities';
import { EntityKubeBackupCard, EntityKubeBackupContent, kubeBackupPlugin } from '../src';

/** The plugin's tab and card on one entity, as an entity page would show them. */
function entityPage(entity: Entity) {
  return (
    <Page themeId="service">
      <Header title={entity.metadata.name} subtitle="kube-backup on a sample entity" />
      <Content>
        <EntityProvider entity={entity}>
          <EntityKubeBackupCard />
          <EntityKubeBackupContent />
        </EntityProvider>
      </Content>
    </Page>
  );
}

createDevApp()
  .registerPlugin(kubeBackupPlugin)
  .addPage({ title: 'storefront', path: '/kube-backup', element: entityPage(storefront) })
  .addPage({ title: 'payments-api', path: '/payments-api', element: entityPage(paymentsApi) })
  .render();
