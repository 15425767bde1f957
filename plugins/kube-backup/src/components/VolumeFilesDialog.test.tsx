/** @jest-environment jsdom */
import '../testing/backstageEsm';
import '@testing-library/jest-dom';
import { newUser } from '../testing/dom';
import { identityApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { kubeBackupApiRef } from '../api/ref';
import { FakeKubeBackupApi, httpError, storefront, summary } from '../testing/fakeApi';
import { KubeBackupContent } from './KubeBackupContent';

// A claim's files from the snapshot detail: a tree loaded a folder at a time, a search by
// name, downloads only where the backend says the viewer may, and a restore request of the
// chosen paths that an owner approves and whose outcome is shown path by path.

const owner = {
  getBackstageIdentity: async () => ({
    type: 'user' as const,
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/shop-team'],
  }),
  getProfileInfo: async () => ({}),
  getCredentials: async () => ({}),
  signOut: async () => undefined,
};

const VOLUME = { snapshotId: summary(0).id, namespace: 'shop', claim: 'data' };
let user: ReturnType<typeof newUser>;
/** What was handed to the browser's download: the file and the name it is saved under. */
const saved: Array<{ blob: Blob; name?: string }> = [];

beforeAll(() => {
  // jsdom has no object URLs and does not follow links: both are recorded instead.
  URL.createObjectURL = (blob: Blob) => {
    saved.push({ blob });
    return `blob:test/${saved.length}`;
  };
  URL.revokeObjectURL = () => undefined;
  jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    saved[saved.length - 1].name = this.download;
  });
});

beforeEach(() => {
  user = newUser();
  saved.length = 0;
});

/** The entity page as an owner, with the files of shop/data open. */
async function openFiles(api: FakeKubeBackupApi): Promise<HTMLElement> {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [kubeBackupApiRef, api],
        [identityApiRef, owner],
      ]}
    >
      <EntityProvider entity={storefront}>
        <KubeBackupContent pollIntervalMs={20} />
      </EntityProvider>
    </TestApiProvider>,
  );
  await user.click(await screen.findByRole('button', { name: /^Details of snapshot/ }));
  const detail = await screen.findByRole('dialog', { name: 'Snapshot 0000abcdef01' });
  await user.click(
    await within(detail).findByRole('button', { name: 'Browse files of shop/data' }),
  );
  const files = await screen.findByRole('dialog', {
    name: 'Files of shop/data in snapshot 0000abcdef01',
  });
  await within(files).findByRole('tree', { name: 'Files of data' });
  return files;
}

/** A blob's text (jsdom's Blob has no text()). */
function textOf(blob: Blob): Promise<string> {
  return new Promise(resolve => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });
}

const rowOf = (dialog: HTMLElement, path: string) =>
  dialog.querySelector(`[data-path="${path}"]`) as HTMLElement | null;

describe('the files of a volume in a snapshot', () => {
  it('loads a folder only when it is opened, with size, mode, owner and modification time', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    const files = await openFiles(api);
    const listed = () =>
      api.calls.filter(call => call.method === 'listFiles').map(call => call.args[2]);
    expect(listed()).toEqual(['/']);
    expect(rowOf(files, '/conf/app.yaml')).toBeNull();
    // A folder the backend could not list says why, and is asked for again when reopened.
    api.failures.listFiles = httpError(503, 'restic is not installed on the backend');
    await user.click(within(files).getByText('conf/'));
    expect(await within(files).findByRole('alert')).toHaveTextContent(
      'restic is not installed on the backend',
    );
    delete api.failures.listFiles;
    await user.click(within(files).getByText('conf/'));
    await user.click(within(files).getByText('conf/'));
    await within(files).findByText('app.yaml');
    expect(listed()).toEqual(['/', '/conf', '/conf']);
    expect(rowOf(files, '/conf/app.yaml')).toHaveTextContent(
      'app.yaml12 B-rw-r----- 1000:20002026-03-04 05:06:07 UTC',
    );
    // A folder listed once is not asked for again.
    await user.click(within(files).getByText('conf/'));
    await user.click(within(files).getByText('conf/'));
    expect(listed()).toEqual(['/', '/conf', '/conf']);
  });

  it('finds files by name anywhere in the volume', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    const files = await openFiles(api);
    await user.type(within(files).getByRole('textbox', { name: 'Search by name' }), 'APP');
    await user.click(within(files).getByRole('button', { name: 'Search' }));
    const results = await within(files).findByRole('region', { name: 'Search results' });
    await within(results).findByText('2 matches');
    expect(rowOf(results, '/conf/app.yaml')).toHaveTextContent('/conf/app.yaml');
    expect(rowOf(results, '/conf/nested/app.yaml.bak')).toHaveTextContent('2.0 KiB');
    expect(api.calls.find(call => call.method === 'searchFiles')?.args.slice(1)).toEqual([
      VOLUME,
      'APP',
    ]);
  });

  it('downloads a file under its name, and says so when the backend refuses', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    const files = await openFiles(api);
    await user.click(within(files).getByRole('button', { name: 'Download /notes.txt' }));
    await api.called('downloadFile');
    expect(api.calls.find(call => call.method === 'downloadFile')?.args.slice(1)).toEqual([
      VOLUME,
      '/notes.txt',
    ]);
    expect(saved).toHaveLength(1);
    expect(saved[0].name).toBe('notes.txt');
    expect(await textOf(saved[0].blob)).toBe('content of /notes.txt');
    // A folder comes as tar.
    expect(
      within(files).getByRole('button', { name: 'Download /conf as tar' }),
    ).toBeInTheDocument();

    api.failures.downloadFile = httpError(403, 'only an owner of component:default/storefront');
    await user.click(within(files).getByRole('button', { name: 'Download /notes.txt' }));
    const alert = await within(files).findByRole('alert');
    expect(alert).toHaveTextContent('You are not allowed to download /notes.txt');
    expect(alert).toHaveTextContent('kube-backup.files.read');
    expect(saved).toHaveLength(1);
  });

  it('offers no download to a viewer the backend says may not', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    api.canDownload = false;
    const files = await openFiles(api);
    expect(within(files).queryAllByRole('button', { name: /^Download / })).toEqual([]);
    expect(files).toHaveTextContent(
      'Downloads are for owners of component:default/storefront and those granted kube-backup.files.read for it.',
    );
  });

  it('requests the chosen paths back; an owner approves and sees each path’s outcome', async () => {
    const api = new FakeKubeBackupApi([summary(0)]);
    const files = await openFiles(api);
    const restore = within(files).getByRole('button', { name: 'Restore these files' });
    expect(restore).toBeDisabled();
    await user.click(within(files).getByRole('checkbox', { name: 'Choose /notes.txt' }));
    await user.click(within(files).getByText('conf/'));
    await user.click(await within(files).findByRole('checkbox', { name: 'Choose /conf/app.yaml' }));
    await user.click(within(files).getByRole('button', { name: 'Restore these files (2)' }));

    const form = within(files).getByRole('region', { name: 'Restore these files' });
    expect(within(form).getByRole('combobox', { name: 'Into claim' })).toHaveValue('data');
    await user.selectOptions(
      within(form).getByRole('combobox', { name: 'Where a live file is in the way' }),
      'rename',
    );
    const send = within(form).getByRole('button', { name: 'Request files restore' });
    expect(send).toBeDisabled();
    await user.type(within(form).getByRole('textbox', { name: 'Reason' }), 'notes deleted');
    await user.click(send);
    await within(files).findByText('Files restore requested');
    expect(api.calls.find(call => call.method === 'requestRestore')?.args[1]).toEqual({
      snapshotId: VOLUME.snapshotId,
      reason: 'notes deleted',
      files: {
        namespace: 'shop',
        claim: 'data',
        paths: ['/notes.txt', '/conf/app.yaml'],
        targetClaim: 'data',
        existing: 'rename',
      },
    });

    // The requests list is refreshed with it; another owner approves it.
    const pending = await screen.findByRole('table', { name: 'Pending (1)' });
    expect(pending).toHaveTextContent(
      'files /notes.txt, /conf/app.yaml of claim shop/data; into claim data; keep live files and put the restored ones beside them',
    );
    await user.click(within(pending).getByRole('button', { name: /^Approve restore request/ }));
    const confirm = await screen.findByRole('dialog', { name: /Approve the restore/ });
    await user.click(within(confirm).getByRole('button', { name: 'Approve' }));
    await screen.findByRole('table', { name: 'History (1)' });
    api.finishRestore('request-1');
    const outcome = await screen.findByRole('list', {
      name: 'Paths restored from snapshot 0000abcdef01',
    });
    expect(
      within(outcome)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      '/notes.txt → data:/notes.txt: restored',
      '/conf/app.yaml → data:/conf/app.yaml: skipped (1 file(s) exist and were left as they are)',
    ]);
  });
});
