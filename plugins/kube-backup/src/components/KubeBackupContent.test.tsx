/** @jest-environment jsdom */
import '../testing/backstageEsm';
import '@testing-library/jest-dom';
import { newUser } from '../testing/dom';
import { identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import { kubeBackupApiRef } from '../api/ref';
import { FakeKubeBackupApi, httpError, storefront, summary } from '../testing/fakeApi';
import { KubeBackupContent } from './KubeBackupContent';

function identity(userEntityRef: string, ownershipEntityRefs: string[]) {
  return {
    getBackstageIdentity: async () => ({
      type: 'user' as const,
      userEntityRef,
      ownershipEntityRefs,
    }),
    getProfileInfo: async () => ({}),
    getCredentials: async () => ({}),
    signOut: async () => undefined,
  };
}

const developer = identity('user:default/dev', ['user:default/dev', 'group:default/developers']);
const owner = identity('user:default/alice', ['user:default/alice', 'group:default/shop-team']);

let user: ReturnType<typeof newUser>;
beforeEach(() => {
  user = newUser();
});

async function renderContent(api: FakeKubeBackupApi, viewer = developer) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [kubeBackupApiRef, api],
        [identityApiRef, viewer],
      ]}
    >
      <EntityProvider entity={storefront}>
        <KubeBackupContent pollIntervalMs={20} />
      </EntityProvider>
    </TestApiProvider>,
  );
}

/** Opens the hydrate dialog of the first snapshot, once its targets are there. */
async function openHydrateDialog(): Promise<HTMLElement> {
  await user.click(await screen.findByRole('button', { name: /^Hydrate from snapshot/ }));
  const dialog = await screen.findByRole('dialog', { name: /Hydrate from snapshot/ });
  await within(dialog).findByRole('combobox', { name: 'Target' });
  return dialog;
}

/** Goes on to the review and returns the plan's list of what will be written. */
async function reviewPlan(dialog: HTMLElement): Promise<HTMLElement> {
  await user.click(within(dialog).getByRole('button', { name: 'Review' }));
  return within(dialog).findByRole('list', { name: 'Will be created or updated' });
}

/** Approves the first pending restore request through its dialog; returns the dialog. */
async function approveFirstPending(): Promise<HTMLElement> {
  await user.click(await screen.findByRole('button', { name: /^Approve restore request/ }));
  const confirm = await screen.findByRole('dialog', { name: /Approve the restore/ });
  await user.click(within(confirm).getByRole('button', { name: 'Approve' }));
  return confirm;
}

describe('KubeBackupContent', () => {
  it("lists the entity's snapshots with time, source, status, counts, size and tags", async () => {
    const api = new FakeKubeBackupApi([
      summary(0, { tags: ['release', 'hydrate'], sizeBytes: 3 * 1024 * 1024 }),
      summary(1, { status: 'partial', errorCount: 2, objectCount: 7, volumeCount: 3 }),
    ]);
    await renderContent(api);
    await screen.findByText('2 snapshots');
    const [table] = screen.getAllByRole('table');
    expect(within(table).getByText('release')).toBeInTheDocument();
    expect(within(table).getByText('hydrate')).toBeInTheDocument();
    expect(within(table).getByText('partial (2 errors)')).toBeInTheDocument();
    expect(within(table).getAllByText('production')).toHaveLength(2);
    expect(within(table).getByText('7')).toBeInTheDocument();
    // Relative time, absolute on hover.
    const time = within(table).getByText('1 hour ago');
    expect(time).toHaveAttribute(
      'title',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/),
    );
    // The size where the backend knows it; unknown (not zero) where it does not.
    expect(within(table).getByText('3.0 MiB')).toBeInTheDocument();
    expect(within(table).getAllByText('unknown')).toHaveLength(1);
    expect(api.calls.find(call => call.method === 'listSnapshots')?.args).toEqual([
      'component:default/storefront',
      { limit: 500 },
    ]);
  });

  it('filters the table with its search box and pages long lists', async () => {
    const api = new FakeKubeBackupApi(Array.from({ length: 14 }, (_, index) => summary(index)));
    await renderContent(api);
    await screen.findByText('14 snapshots');
    // One details button per row shown (counted by label: a role query per DOM change is slow).
    const rowsShown = () => screen.getAllByLabelText(/^Details of snapshot/).length;
    expect(rowsShown()).toBe(10);
    await user.click(screen.getByRole('button', { name: /next page/i }));
    expect(rowsShown()).toBe(4);
    await user.type(screen.getByPlaceholderText('Filter'), 'nightly');
    // The table's search is debounced: wait for its result, however long that takes.
    await waitFor(() => expect(rowsShown()).toBe(7));
  });

  it('shows a snapshot’s objects by kind, images with digests (unknown when absent), volumes and errors', async () => {
    const api = new FakeKubeBackupApi([summary(0, { status: 'partial', errorCount: 1 })]);
    await renderContent(api);
    await user.click(
      await screen.findByRole('button', { name: /^Details of snapshot 0000abcdef01/ }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Snapshot 0000abcdef01' });
    await within(dialog).findByRole('table', { name: 'Deployment objects' });
    expect(within(dialog).getByRole('table', { name: 'Pod objects' })).toHaveTextContent(
      'no (recorded for search)',
    );
    const images = within(dialog).getByRole('table', { name: 'Images' });
    expect(images).toHaveTextContent('sha256:0123456789abcdef');
    expect(within(images).getAllByRole('row')[2]).toHaveTextContent('shop/proxy:2unknown');
    const volumes = within(dialog).getByRole('table', { name: 'Volumes' });
    expect(within(volumes).getAllByRole('row')[1].textContent).toBe(
      'shopdata1Gisnapshotapplication-consistent (pre-backup hook in storefront-db-0)50.0 MiB in 1200 filesBrowse files',
    );
    expect(within(dialog).getByRole('table', { name: 'Errors' })).toHaveTextContent(
      'secrets is forbidden',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('shows a volume whose data was not captured as such, never as a size', async () => {
    const api = new FakeKubeBackupApi([summary(0, { volumeDataBytes: undefined })]);
    await renderContent(api);
    await user.click(
      await screen.findByRole('button', { name: /^Details of snapshot 0000abcdef01/ }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Snapshot 0000abcdef01' });
    const volumes = await within(dialog).findByRole('table', { name: 'Volumes' });
    expect(within(volumes).getAllByRole('row')[1].textContent).toBe(
      'shopdata1Gi——data not captured: not marked for data capture—',
    );
  });

  it('hydrates: target and options, the backend’s plan, progress, result', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await renderContent(api);
    await user.click(await screen.findByRole('button', { name: /^Hydrate from snapshot/ }));
    const dialog = await screen.findByRole('dialog', {
      name: /Hydrate from snapshot 0000abcdef01/,
    });
    const target = await within(dialog).findByRole('combobox', { name: 'Target' });
    expect(target).toHaveValue('dev');
    const namespace = within(dialog).getByRole('textbox', { name: 'Namespace' });
    expect(namespace).toHaveValue('dev-dev');
    // A namespace the target does not allow cannot be reviewed.
    await user.clear(namespace);
    await user.type(namespace, 'staging');
    expect(within(dialog).getByText('Target dev allows only dev-*')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Review' })).toBeDisabled();
    await user.clear(namespace);
    await user.type(namespace, 'Dev_Alice');
    expect(within(dialog).getByText(/^"Dev_Alice" is not a DNS label/)).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Review' })).toBeDisabled();
    await user.clear(namespace);
    await user.type(namespace, 'dev-alice');
    // Target dev does not allow Secrets: no option to ask for them.
    expect(within(dialog).queryByRole('checkbox', { name: 'Also restore Secrets' })).toBeNull();
    expect(dialog).toHaveTextContent('target dev does not allow them');
    const replicas = within(dialog).getByRole('spinbutton', { name: 'Replicas' });
    await user.clear(replicas);
    await user.type(replicas, '11');
    expect(within(dialog).getByText('Must be a whole number from 0 to 10')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Review' })).toBeDisabled();
    await user.clear(replicas);
    await user.type(replicas, '2');
    // The snapshot holds volume data: it comes along unless left out.
    expect(
      within(dialog).getByRole('checkbox', { name: 'Restore volume data (50.0 MiB)' }),
    ).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Review' }));

    // The review lists the backend's plan for this body, with discovery's plurals.
    const plan = await within(dialog).findByRole('list', { name: 'Will be created or updated' });
    expect(
      within(plan)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      '1 ConfigMap (storefront-config)',
      '1 Deployment (storefront)',
      '1 Namespace (dev-alice)',
      '2 NetworkPolicies (storefront-allow-web, storefront-deny-all)',
      '1 Service (storefront)',
    ]);
    const body = {
      snapshotId: summary(0).id,
      target: 'dev',
      namespace: 'dev-alice',
      includeSecrets: false,
      replicas: 2,
      withData: true,
    };
    expect(api.calls.find(call => call.method === 'planHydration')?.args[1]).toEqual(body);
    expect(dialog).toHaveTextContent(
      'Secrets the workloads use that dev-alice would not have: storefront-db.',
    );
    expect(dialog).toHaveTextContent('namespace dev-alice in cluster dev');
    expect(dialog).toHaveTextContent('2 per scaled workload');
    expect(dialog).toHaveTextContent('Volume datarestored (50.0 MiB)');

    await user.click(within(dialog).getByRole('button', { name: 'Hydrate' }));
    await api.called('startHydration');
    expect(api.calls.find(call => call.method === 'startHydration')?.args[1]).toEqual(body);
    // The job is held at a step; the dialog polls and shows it.
    api.step('job-1', 0.5, 'writing workloads (2)');
    const progress = await within(dialog).findByRole('progressbar', {
      name: 'Hydration progress',
    });
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '50'));
    expect(await within(dialog).findByRole('list', { name: 'Hydration log' })).toHaveTextContent(
      'writing workloads (2)',
    );
    api.finishHydration('job-1');
    expect(await within(dialog).findByText('Hydrated dev-alice in dev')).toBeInTheDocument();
    expect(within(dialog).getByRole('list', { name: 'Objects written' })).toHaveTextContent(
      'Deployment/storefront in dev-alice: created',
    );
    expect(dialog).toHaveTextContent('storefront-db');
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    // The hydrations list is refreshed once the job has finished.
    const hydrations = await screen.findByRole('table', { name: 'Hydrations' });
    expect(hydrations).toHaveTextContent('dev/dev-alice');
  });

  it('checks the namespace against a dev-? target with the backend’s own pattern rule', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.targets = [{ name: 'dev', cluster: 'dev', namespaces: ['dev-?'], allowSecrets: false }];
    await renderContent(api);
    const dialog = await openHydrateDialog();
    const namespace = within(dialog).getByRole('textbox', { name: 'Namespace' });
    // The suggestion fills the one character the pattern asks for.
    expect(namespace).toHaveValue('dev-1');
    expect(within(dialog).getByRole('button', { name: 'Review' })).toBeEnabled();
    await user.clear(namespace);
    await user.type(namespace, 'dev-10');
    expect(within(dialog).getByText('Target dev allows only dev-?')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Review' })).toBeDisabled();
    await user.clear(namespace);
    await user.type(namespace, 'dev-7');
    expect(within(dialog).queryByText('Target dev allows only dev-?')).toBeNull();
    await reviewPlan(dialog);
    expect(api.calls.find(call => call.method === 'planHydration')?.args[1]).toMatchObject({
      namespace: 'dev-7',
    });
  });

  it('shows why the backend cannot plan a hydration, and lets the user go back', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.failures.planHydration = httpError(
      403,
      'namespace "dev-dev" is protected; hydration never writes there',
    );
    await renderContent(api);
    const dialog = await openHydrateDialog();
    await user.click(within(dialog).getByRole('button', { name: 'Review' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('You are not allowed to hydrate into dev / dev-dev');
    expect(alert).toHaveTextContent('namespace "dev-dev" is protected');
    expect(within(dialog).queryByRole('list', { name: 'Will be created or updated' })).toBeNull();
    // Nothing to hydrate without a plan; back to the options to choose another namespace.
    expect(within(dialog).getByRole('button', { name: 'Hydrate' })).toBeDisabled();
    expect(within(dialog).getByRole('button', { name: 'Back' })).toBeEnabled();
  });

  it('offers Secrets only on a target that allows them', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.targets = [
      ...api.targets,
      { name: 'sandbox', cluster: 'dev', namespaces: ['sandbox-*'], allowSecrets: true },
    ];
    await renderContent(api);
    const dialog = await openHydrateDialog();
    const target = within(dialog).getByRole('combobox', { name: 'Target' });
    expect(within(dialog).queryByRole('checkbox', { name: 'Also restore Secrets' })).toBeNull();
    await user.selectOptions(target, 'sandbox');
    expect(within(dialog).getByRole('textbox', { name: 'Namespace' })).toHaveValue('sandbox-dev');
    const secrets = within(dialog).getByRole('checkbox', { name: 'Also restore Secrets' });
    await user.click(secrets);
    // Back to a target without Secrets and again: the choice does not survive the switch.
    await user.selectOptions(target, 'dev');
    expect(within(dialog).queryByRole('checkbox', { name: 'Also restore Secrets' })).toBeNull();
    await user.selectOptions(target, 'sandbox');
    expect(
      within(dialog).getByRole('checkbox', { name: 'Also restore Secrets' }),
    ).not.toBeChecked();
    await user.click(within(dialog).getByRole('checkbox', { name: 'Also restore Secrets' }));
    await user.click(within(dialog).getByRole('checkbox', { name: /^Restore volume data/ }));
    const plan = await reviewPlan(dialog);
    expect(dialog).toHaveTextContent('Secretsrestored');
    expect(dialog).toHaveTextContent('Volume dataleft out: claims start empty');
    expect(plan).toHaveTextContent('1 Secret (storefront-db)');
    expect(dialog).not.toHaveTextContent('would not have');
    await user.click(within(dialog).getByRole('button', { name: 'Hydrate' }));
    await api.called('startHydration');
    api.finishHydration('job-1');
    await within(dialog).findByText('Hydrated sandbox-dev in dev');
    expect(api.calls.find(call => call.method === 'startHydration')?.args[1]).toMatchObject({
      target: 'sandbox',
      namespace: 'sandbox-dev',
      includeSecrets: true,
      withData: false,
    });
  });

  it('explains a refused hydration (403) and what to do next', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.failures.startHydration = httpError(
      403,
      'hydration target "dev" is not allowed for component:default/storefront',
    );
    await renderContent(api);
    const dialog = await openHydrateDialog();
    await reviewPlan(dialog);
    await user.click(within(dialog).getByRole('button', { name: 'Hydrate' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('You are not allowed to hydrate into dev / dev-dev');
    expect(alert).toHaveTextContent(
      'Ask an owner of component:default/storefront (group:default/shop-team)',
    );
    expect(alert).toHaveTextContent('is not allowed for component:default/storefront');
    // Back to the options to choose another.
    expect(within(dialog).getByRole('button', { name: 'Back' })).toBeEnabled();
  });

  it('shows a failed hydration with its reason', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await renderContent(api);
    const dialog = await openHydrateDialog();
    await reviewPlan(dialog);
    await user.click(within(dialog).getByRole('button', { name: 'Hydrate' }));
    await api.called('startHydration');
    api.finishHydration('job-1', 'failed');
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('The hydration failed');
    expect(alert).toHaveTextContent('quota exceeded');
  });

  it('offers no hydration when no target is open to the user', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.targets = [];
    await renderContent(api);
    await screen.findByRole('button', { name: /^Details of snapshot/ });
    expect(
      screen.queryByRole('button', { name: /^Hydrate from snapshot/ }),
    ).not.toBeInTheDocument();
  });

  it('requests a restore with scope and reason; a non-owner sees it waiting', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await renderContent(api);
    await user.click(await screen.findByRole('button', { name: /^Request restore of snapshot/ }));
    const dialog = await screen.findByRole('dialog', { name: /Request a restore of snapshot/ });
    // Empty by default (the entity's own namespaces): the snapshot may hold others' too.
    const namespaces = within(dialog).getByRole('textbox', { name: 'Namespaces' });
    expect(namespaces).toHaveValue('');
    await user.type(namespaces, 'shop');
    await user.type(
      within(dialog).getByRole('textbox', { name: 'Objects' }),
      'Deployment/storefront',
    );
    const send = within(dialog).getByRole('button', { name: 'Request restore' });
    expect(send).toBeDisabled();
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'bad deploy');
    const overwrite = within(dialog).getByRole('checkbox', {
      name: /^Apply the snapshot's version over objects that exist/,
    });
    expect(overwrite).not.toBeChecked();
    await user.click(overwrite);
    const data = within(dialog).getByRole('checkbox', {
      name: 'Restore volume data (50.0 MiB) into claims the restore creates',
    });
    expect(data).toBeChecked();
    await user.click(data);
    await user.click(send);
    expect(await within(dialog).findByText('Restore requested')).toBeInTheDocument();
    expect(api.calls.find(call => call.method === 'requestRestore')?.args[1]).toEqual({
      snapshotId: summary(0).id,
      reason: 'bad deploy',
      scope: {
        namespaces: ['shop'],
        objects: ['Deployment/storefront'],
        includeSecrets: true,
        existing: 'update',
        withData: false,
      },
    });
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    const pending = await screen.findByRole('table', { name: 'Pending (1)' });
    expect(pending).toHaveTextContent('bad deploy');
    expect(pending).toHaveTextContent('applying the snapshot over objects that exist');
    expect(pending).toHaveTextContent('without volume data');
    expect(pending).toHaveTextContent('Waiting for group:default/shop-team');
    expect(within(pending).queryByRole('button', { name: /^Approve/ })).not.toBeInTheDocument();
  });

  it('lets an owner approve and reject pending requests, and shows the history', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'outage',
    });
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'mistake',
    });
    await renderContent(api, owner);
    await screen.findByRole('table', { name: 'Pending (2)' });
    const approve = screen.getAllByRole('button', {
      name: /^Approve restore request from user:default\/dev/,
    });
    expect(approve).toHaveLength(2);
    // Newest first: "mistake", then "outage".
    await user.click(approve[1]);
    const confirm = await screen.findByRole('dialog', { name: /Approve the restore of snapshot/ });
    expect(confirm).toHaveTextContent('“outage”');
    await user.type(within(confirm).getByRole('textbox', { name: 'Comment' }), 'go ahead');
    await user.click(within(confirm).getByRole('button', { name: 'Approve' }));
    await screen.findByRole('table', { name: 'Pending (1)' });
    api.finishRestore('request-1');
    await user.click(screen.getByRole('button', { name: /^Reject restore request/ }));
    const reject = await screen.findByRole('dialog', { name: /Reject the restore/ });
    await user.click(within(reject).getByRole('button', { name: 'Reject' }));
    const history = await screen.findByRole('table', { name: 'History (2)' });
    expect(await within(history).findByText('succeeded')).toBeInTheDocument();
    expect(history).toHaveTextContent('rejected');
    expect(history).toHaveTextContent('“go ahead”');
    expect(screen.getByText('No restore request waits for a decision.')).toBeInTheDocument();
    expect(
      api.calls.filter(call => call.method === 'decideRestoreRequest').map(call => call.args),
    ).toEqual([
      ['request-1', { decision: 'approve', comment: 'go ahead' }],
      ['request-2', { decision: 'reject', comment: undefined }],
    ]);
  });

  it('shows an approved restore’s progress and latest step while it runs, and its log', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'outage',
    });
    await renderContent(api, owner);
    await approveFirstPending();
    await api.called('decideRestoreRequest');

    // The restore is held at each step; the table polls and follows it.
    api.step('request-1', 0.25, 'writing tier 1');
    const history = await screen.findByRole('table', { name: 'History (1)' });
    const bar = await within(history).findByRole('progressbar', {
      name: /^Progress of the restore of snapshot/,
    });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '25'));
    api.step('request-1', 0.75, 'writing tier 3');
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '75'));
    expect(within(history).getByText('75%')).toBeInTheDocument();
    expect(within(history).getByText('writing tier 3')).toBeInTheDocument();

    await user.click(within(history).getByRole('button', { name: 'Show log' }));
    const log = within(history).getByRole('list', { name: /^Log of the restore of snapshot/ });
    expect(log).toHaveTextContent('[info] restoring component:default/storefront');
    expect(log).toHaveTextContent('[info] writing tier 1');
    expect(log).toHaveTextContent('[info] writing tier 3');

    api.finishRestore('request-1');
    expect(await within(history).findByText('succeeded')).toBeInTheDocument();
    expect(within(history).queryByRole('progressbar')).not.toBeInTheDocument();
    expect(within(history).getByRole('region', { name: 'Restore outcome' })).toHaveTextContent(
      '2 updated',
    );
    await waitFor(() => expect(log).toHaveTextContent('[info] restore finished'));
    await user.click(within(history).getByRole('button', { name: 'Hide log' }));
    expect(within(history).queryByRole('list', { name: /^Log of the restore/ })).toBeNull();
  });

  it('lists hydrations with the progress of a running one and each one’s log', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.hydrations = [
      {
        id: 'job-1',
        entityRef: 'component:default/storefront',
        snapshotId: summary(0).id,
        target: 'dev',
        cluster: 'dev',
        namespace: 'dev-bob',
        status: 'running',
        progress: 0.4,
        createdBy: 'user:default/bob',
        createdAt: new Date().toISOString(),
        log: [{ time: new Date().toISOString(), level: 'info', message: 'writing tier 2' }],
      },
    ];
    await renderContent(api);
    const table = await screen.findByRole('table', { name: 'Hydrations' });
    expect(table).toHaveTextContent('dev/dev-bob');
    expect(
      within(table).getByRole('progressbar', { name: 'Progress of the hydration of dev/dev-bob' }),
    ).toHaveAttribute('aria-valuenow', '40');
    await user.click(within(table).getByRole('button', { name: 'Show log' }));
    expect(
      within(table).getByRole('list', { name: 'Log of the hydration of dev/dev-bob' }),
    ).toHaveTextContent('writing tier 2');
    // It polls while the job runs, so the end shows up without a reload.
    Object.assign(api.hydrations[0], { status: 'succeeded', progress: 1 });
    expect(await within(table).findByText('succeeded')).toBeInTheDocument();
    expect(within(table).queryByRole('progressbar')).toBeNull();
  });

  it('explains a refused decision (403)', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'outage',
    });
    api.failures.decideRestoreRequest = httpError(403, 'only an owner may decide');
    await renderContent(api, owner);
    const confirm = await approveFirstPending();
    expect(await within(confirm).findByRole('alert')).toHaveTextContent(
      'You cannot decide on this restore request',
    );
  });

  it('says another owner must approve when the requester tries to (403), in the backend’s words', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'outage',
    });
    const refusal =
      'user:default/alice requested this restore; another owner of component:default/storefront (group:default/shop-team) must approve it';
    api.failures.decideRestoreRequest = httpError(403, refusal);
    await renderContent(api, owner);
    const confirm = await approveFirstPending();
    const alert = await within(confirm).findByRole('alert');
    expect(alert).toHaveTextContent(refusal);
    expect(alert).toHaveTextContent('Ask another owner of component:default/storefront');
  });

  it('shows an approved restore that matched nothing as such, with why', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    const why =
      "nothing restored: the request names namespaces (payments) outside component:default/storefront's namespaces in this snapshot (shop)";
    await api.requestRestore('component:default/storefront', {
      snapshotId: summary(0).id,
      reason: 'outage',
    });
    await renderContent(api, owner);
    await approveFirstPending();
    await api.called('decideRestoreRequest');
    api.finishRestore('request-1', { status: 'nothing-restored', why });
    const history = await screen.findByRole('table', { name: 'History (1)' });
    expect(await within(history).findByText('nothing restored')).toBeInTheDocument();
    expect(history).toHaveTextContent(why);
    expect(within(history).queryByText('succeeded')).toBeNull();
  });

  it('explains how to make snapshots when there are none', async () => {
    await renderContent(new FakeKubeBackupApi([]));
    expect(await screen.findByText('No snapshots of this entity yet')).toBeInTheDocument();
    expect(screen.getByText(/kubectl backup annotate deploy/)).toBeInTheDocument();
    expect(screen.getByText('kubectl backup create --entity storefront')).toBeInTheDocument();
  });

  it('shows a load error with what to do next', async () => {
    const api = new FakeKubeBackupApi([]);
    api.failures.listSnapshots = httpError(403, 'not allowed: kube-backup.snapshots.read');
    await renderContent(api);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("You are not allowed to see this entity's snapshots");
    expect(alert).toHaveTextContent('kube-backup.snapshots.read');
  });

  it('shows a backend that cannot open its repository (503) with the backend’s own words', async () => {
    const api = new FakeKubeBackupApi([]);
    const message =
      "wrong repository password: kubeBackup.repository.password in the backend's config does not open the snapshot repository; an administrator must correct it";
    api.failures.listSnapshots = httpError(503, message);
    await renderContent(api);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'The kube-backup backend cannot reach its snapshot repository or cluster',
    );
    expect(alert).toHaveTextContent(message);
    expect(alert).toHaveTextContent('tell your platform team');
  });

  it('shows progress while loading', async () => {
    const api = new FakeKubeBackupApi([]);
    api.listSnapshots = () => new Promise(() => undefined);
    await renderContent(api);
    // core-components' Progress shows after a short delay, so quick answers never flash it.
    expect((await screen.findAllByRole('progressbar')).length).toBeGreaterThan(0);
    expect(screen.queryByText('No snapshots of this entity yet')).not.toBeInTheDocument();
  });
});
