// Single files in the portal, in headless Chromium against the real backend plugin: a
// running application's volume is backed up by the CLI (data movers on the test cluster's
// node, or a real cluster), then browsed folder by folder in the snapshot's detail, a file
// downloaded and checked, a deleted file asked back and approved by a second owner, and
// found back in the live volume; a user who does not own the entity is refused the
// download (403) and nothing is logged as fetched for them.
import '../src/testing/symbol-dispose';
import type { Entity } from '@backstage/catalog-model';
import type { Snapshot } from '@kube-backup/core';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  startKubeBackupTestBackend,
  type TestBackend,
} from '../../plugins/kube-backup-backend/src/testing/backend';
import {
  postgresMissing,
  startPostgres,
  type TestPostgres,
} from '../../plugins/kube-backup-backend/src/testing/postgres';
import { describeNeeding } from '../src/testing/components';
import { must } from '../src/testing/pod-cluster';
import {
  bundleE2eApp,
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  servePage,
  type PageServer,
} from './frontend-harness';
import { appPod, claimManifest, startVolumeSuite, type VolumeSuite } from './volume-harness';

const RESULTS = resolve(__dirname, '../../test-results');
/** How long a page wait may take before it fails naming what it awaited. */
const WAIT_BOUND_MS = 150_000;

const OWNER = 'user:default/alice';
/** Another owner: the requester may not approve their own restore. */
const SECOND_OWNER = 'user:default/carol';
const NON_OWNER = 'user:default/mallory';
const TEAM = 'group:default/ledger-team';

const describeWithChromium = describeNeeding([chromiumMissing, postgresMissing()]);

jest.setTimeout(300_000);

describeWithChromium('files of a volume in the portal, in Chromium', () => {
  let suite: VolumeSuite;
  let namespace: string;
  let snapshot: Snapshot;
  let postgres: TestPostgres;
  let backend: TestBackend;
  let browser: Browser;
  let cleanupBundle: () => Promise<void>;
  const servers: Record<string, PageServer> = {};
  const pageErrors: string[] = [];
  let entity: Entity;

  const inApp = (command: string[]) => suite.exec(namespace, 'app', command);

  /** A page signed in as `user`, open on the entity's tab. */
  async function openAs(user: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.setDefaultTimeout(WAIT_BOUND_MS);
    page.on('pageerror', error => pageErrors.push(error.message));
    await page.goto(servers[user].url);
    return page;
  }

  /** Opens the snapshot's detail and the files of its claim `data`. */
  async function browseData(page: Page) {
    await page
      .getByRole('button', { name: `Details of snapshot ${snapshot.id.slice(0, 12)}` })
      .click();
    const detail = page.getByRole('dialog', { name: /^Snapshot / });
    await detail.getByRole('button', { name: `Browse files of ${namespace}/data` }).click();
    const files = page.getByRole('dialog', { name: /^Files of .*\/data in snapshot/ });
    await files.getByRole('tree', { name: 'Files of data' }).waitFor();
    return { detail, files };
  }

  beforeAll(async () => {
    const bundling = bundleE2eApp();
    suite = await startVolumeSuite('portal-files');
    namespace = await suite.namespace('ledger');
    await suite.apply(
      namespace,
      claimManifest('data', suite.cluster.storageClass),
      appPod('app', 'data'),
    );
    await suite.podPhase(namespace, 'app', 'Running');
    await inApp([
      'sh',
      '-c',
      [
        'mkdir -p /data/conf',
        'echo "replicas: 1" > /data/conf/app.yaml',
        'echo "remember the milk" > /data/notes.txt',
      ].join(' && '),
    ]);
    snapshot = await suite.backupAll(namespace);

    entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'ledger',
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-namespace': namespace },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'ledger-team' },
    };
    const env = suite.work.env;
    postgres = await startPostgres();
    backend = await startKubeBackupTestBackend({
      repository: { location: env.KUBE_BACKUP_REPOSITORY!, password: env.KUBE_BACKUP_PASSWORD! },
      kubeconfig: suite.cluster.kubeconfig,
      context: (await must(suite.cluster.kubectl(['config', 'current-context']))).trim(),
      hydrationTargets: [],
      protectedNamespaces: [],
      volumes: env.KUBE_BACKUP_REPOSITORY_NODE_PATH
        ? { repositoryNodePath: env.KUBE_BACKUP_REPOSITORY_NODE_PATH }
        : {},
      config: { namespaceOwners: [{ namespace, owners: [TEAM] }] },
      knex: await postgres.newDatabase(),
      entities: [entity],
      memberships: { [OWNER]: [TEAM], [SECOND_OWNER]: [TEAM], [NON_OWNER]: [] },
      defaultUser: OWNER,
    });

    const bundle = await bundling;
    cleanupBundle = bundle.cleanup;
    for (const [user, groups] of [
      [OWNER, [TEAM]],
      [SECOND_OWNER, [TEAM]],
      [NON_OWNER, []],
    ] as const) {
      servers[user] = await servePage(
        bundle.file,
        {
          entity,
          userEntityRef: user,
          ownershipEntityRefs: [user, ...groups],
          authorization: `Bearer ${await backend.tokenFor(user)}`,
        },
        `http://127.0.0.1:${backend.port}`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir(RESULTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of Object.values(servers)) await server.stop();
    await backend?.stop();
    await postgres?.stop();
    await suite?.stop();
    await cleanupBundle?.();
  });

  it('browses the volume folder by folder with metadata, finds a file by name and downloads it', async () => {
    const page = await openAs(OWNER);
    const { files } = await browseData(page);
    const tree = files.getByRole('tree', { name: 'Files of data' });
    // A folder's entries are asked for only when it is opened.
    expect(await tree.getByText('app.yaml').count()).toBe(0);
    await tree.getByText('conf/', { exact: true }).click();
    const appYaml = tree.locator('[data-path="/conf/app.yaml"]');
    await appYaml.waitFor();
    const line = await appYaml.innerText();
    expect(line).toMatch(/12 B/);
    expect(line).toMatch(/-rw-r--r--/);
    expect(line).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    await files.getByRole('textbox', { name: 'Search by name' }).fill('NOTES');
    await files.getByRole('button', { name: 'Search', exact: true }).click();
    const results = files.getByRole('region', { name: 'Search results' });
    await results.getByText('1 match').waitFor();
    await results.locator('[data-path="/notes.txt"]').waitFor();
    await page.screenshot({ path: join(RESULTS, 'frontend-files-search.png') });
    await files.getByRole('button', { name: 'Show the folders again' }).click();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      tree.getByRole('button', { name: 'Download /conf/app.yaml', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('app.yaml');
    expect(await readFile((await download.path())!, 'utf8')).toBe('replicas: 1\n');
    const fetched = await backend.audit.next(
      event => event.eventId === 'files-download' && event.outcome === 'success',
    );
    expect(fetched.meta).toMatchObject({
      user: OWNER,
      entityRef: 'component:default/ledger',
      snapshotId: snapshot.id,
      namespace,
      claim: 'data',
      fetched: '/conf/app.yaml',
      bytes: 12,
    });
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('asks for a deleted file back; a second owner approves and it is in the live volume again', async () => {
    await inApp(['rm', '/data/notes.txt']);
    const page = await openAs(OWNER);
    const { files, detail } = await browseData(page);
    const tree = files.getByRole('tree', { name: 'Files of data' });
    await tree.getByRole('checkbox', { name: 'Choose /notes.txt' }).check();
    await files.getByRole('button', { name: 'Restore these files (1)' }).click();
    const form = files.getByRole('region', { name: 'Restore these files' });
    expect(await form.getByRole('combobox', { name: 'Into claim' }).inputValue()).toBe('data');
    await form.getByRole('textbox', { name: 'Reason' }).fill('notes deleted by mistake');
    await form.getByRole('button', { name: 'Request files restore' }).click();
    await files.getByText('Files restore requested').waitFor();
    await files.getByRole('button', { name: 'Close' }).click();
    await detail.getByRole('button', { name: 'Close' }).click();
    const pending = page.getByRole('table', { name: 'Pending (1)' });
    await expectText(
      pending.innerText(),
      new RegExp(`files /notes.txt of claim ${namespace}/data`),
    );
    await page.close();

    const approver = await openAs(SECOND_OWNER);
    await approver
      .getByRole('table', { name: 'Pending (1)' })
      .getByRole('button', { name: `Approve restore request from ${OWNER}`, exact: false })
      .click();
    const confirm = approver.getByRole('dialog', { name: /^Approve the restore/ });
    await confirm.getByRole('button', { name: 'Approve', exact: true }).click();
    const history = approver.getByRole('table', { name: 'History (1)' });
    // The restore runs in the backend; the page polls until it has an outcome per path.
    const outcome = history.getByRole('list', { name: /^Paths restored from snapshot/ });
    await outcome.waitFor();
    await expectText(outcome.innerText(), /\/notes\.txt → data:\/notes\.txt: restored/);
    await approver.screenshot({ path: join(RESULTS, 'frontend-files-restored.png') });
    await approver.close();
    expect(await inApp(['cat', '/data/notes.txt'])).toBe('remember the milk\n');
    expect(pageErrors).toEqual([]);
  });

  it('refuses a download to a user who does not own the entity (403), hides it, and logs nothing as fetched', async () => {
    const page = await openAs(NON_OWNER);
    const { files } = await browseData(page);
    await files.getByText(/Downloads are for owners of component:default\/ledger/).waitFor();
    expect(await files.getByRole('button', { name: /^Download / }).count()).toBe(0);
    await page.close();

    const refused = await backend.call<{ error: { message: string } }>(
      `/entities/component/default/ledger/snapshots/${snapshot.id}/volumes/${namespace}/data/files/content?path=/conf/app.yaml`,
      { user: NON_OWNER },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/only an owner of component:default\/ledger/);
    const theirs = backend.audit.events.filter(
      event => event.eventId === 'files-download' && event.meta.user === NON_OWNER,
    );
    expect(theirs.map(event => [event.outcome, event.meta.fetched])).toEqual([
      ['failure', undefined],
    ]);
    expect(pageErrors).toEqual([]);
  });
});

async function expectText(text: Promise<string>, pattern: RegExp): Promise<void> {
  expect(await text).toMatch(pattern);
}
