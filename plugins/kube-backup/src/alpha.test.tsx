/** @jest-environment jsdom */
import './testing/backstageEsm';
import '@testing-library/jest-dom';
import './testing/dom';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import kubeBackupPlugin from './alpha';
import { kubeBackupApiRef } from './api/ref';
import { KubeBackupCard } from './components/KubeBackupCard';
import { isKubeBackupAvailable } from '@kube-backup/backstage-plugin-kube-backup-common';
import {
  EntityKubeBackupCard,
  EntityKubeBackupContent,
  kubeBackupPlugin as legacy,
} from './plugin';
import { FakeKubeBackupApi, storefront, summary } from './testing/fakeApi';

describe('plugin entry points', () => {
  it('declares the new-system plugin with its API, entity content and entity card', () => {
    expect(kubeBackupPlugin.pluginId).toBe('kube-backup');
    expect(kubeBackupPlugin.getExtension('api:kube-backup')).toBeDefined();
    expect(kubeBackupPlugin.getExtension('entity-content:kube-backup')).toBeDefined();
    expect(kubeBackupPlugin.getExtension('entity-card:kube-backup')).toBeDefined();
  });

  it('registers the client for kubeBackupApiRef in the legacy plugin', () => {
    expect(legacy.getId()).toBe('kube-backup');
    expect([...legacy.getApis()].map(factory => factory.api.id)).toEqual([kubeBackupApiRef.id]);
    expect(EntityKubeBackupContent).toBeDefined();
    expect(EntityKubeBackupCard).toBeDefined();
  });

  it('is available on entities with a kubernetes-id, a label selector or a namespace', () => {
    expect(isKubeBackupAvailable(storefront)).toBe(true);
    const bySelector = {
      ...storefront,
      metadata: {
        name: 'payments',
        annotations: { 'backstage.io/kubernetes-label-selector': 'app=payments' },
      },
    };
    expect(isKubeBackupAvailable(bySelector)).toBe(true);
    const onlyNamespace = {
      ...storefront,
      metadata: { name: 'x', annotations: { 'backstage.io/kubernetes-namespace': 'x' } },
    };
    // The backend serves a namespace-only claim where its config grants the namespace.
    expect(isKubeBackupAvailable(onlyNamespace)).toBe(true);
    expect(isKubeBackupAvailable({ ...storefront, metadata: { name: 'y' } })).toBe(false);
  });

  it('renders the overview card with the newest snapshot and pending requests', async () => {
    const api = new FakeKubeBackupApi([summary(0), summary(1)]);
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'outage',
    });
    await renderInTestApp(
      <TestApiProvider apis={[[kubeBackupApiRef, api]]}>
        <EntityProvider entity={storefront}>
          <KubeBackupCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText(/2 snapshots in all/)).toHaveTextContent(
      '1 restore request waiting for a decision',
    );
    expect(screen.getByText('0000abcdef01')).toBeInTheDocument();
  });
});
