// The Backstage frontend plugin in headless Chromium against the real backend plugin
// (startTestBackend), a real repository with a snapshot captured from the Kubernetes API
// test server, and that server as both the production and the dev cluster. The snapshot
// holds two entities (storefront in shop, payments-api in payments); the page is
// storefront's.
import { captureSnapshot, connectToCluster, Repository } from '@kube-backup/core';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  postgresMissing,
  startPostgres,
  type TestPostgres,
} from '../../plugins/kube-backup-backend/src/testing/postgres';
import { startKubeBackupTestBackend } from '../../plugins/kube-backup-backend/src/testing/backend';
import { storefront } from '../fixtures/entities';
import { startTestCluster, type TestCluster } from '../src/server';
import { describeNeeding } from '../src/testing/components';
import {
  bundleE2eApp,
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  PAGE_WAIT_BOUND_MS,
  servePage,
  type PageServer,
} from './frontend-harness';

const PASSWORD = 'correct horse battery staple';
const FIXTURES = resolve(__dirname, '../fixtures/production');
const RESULTS = resolve(__dirname, '../../test-results');

const USER = 'user:default/alice';
const OWNERSHIP = [USER, 'group:default/shop-team'];
/** Another owner of storefront: restores need a second pair of eyes. */
const SECOND_OWNER = 'user:default/carol';

// Backstage's production database, as the backend plugin's own suite runs it.
const describeWithChromium = describeNeeding([chromiumMissing, postgresMissing()]);

describeWithChromium('Backstage frontend plugin in Chromium', () => {
  let cluster: TestCluster;
  let repoDir: string;
  let postgres: TestPostgres;
  let stopBackend: () => Promise<void>;
  let page: Page;
  let browser: Browser;
  let pageServer: PageServer;
  /** The same page signed in as the second owner. */
  let secondOwnerServer: PageServer;
  let cleanupBundle: () => Promise<void>;
  let snapshotId: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const bundling = bundleE2eApp();
    cluster = await startTestCluster({ seed: [FIXTURES] });
    repoDir = await mkdtemp(join(tmpdir(), 'kube-backup-frontend-repo-'));
    const repository = await Repository.init(`file://${repoDir}`, PASSWORD, { kdf: { N: 1024 } });
    const connection = await connectToCluster({ kubeconfig: cluster.kubeconfigPath });
    try {
      const snapshot = await captureSnapshot(connection, repository, {
        namespaces: ['shop', 'payments'],
        entities: ['storefront', 'payments-api'],
        tags: ['release'],
      });
      snapshotId = snapshot.id;
    } finally {
      connection.client.close();
      await repository.close();
    }

    postgres = await startPostgres();
    const knex = await postgres.newDatabase();
    const backend = await startKubeBackupTestBackend({
      repository: { location: `file://${repoDir}`, password: PASSWORD },
      kubeconfig: cluster.kubeconfigPath,
      hydrationTargets: [
        { name: 'dev', title: 'Developer namespaces', cluster: 'dev', namespaces: ['dev-*'] },
      ],
      protectedNamespaces: ['shop', 'kube-system', 'dev-protected'],
      knex,
      entities: [storefront],
      memberships: {
        [USER]: OWNERSHIP.filter(ref => ref !== USER),
        [SECOND_OWNER]: ['group:default/shop-team'],
      },
      defaultUser: USER,
    });
    stopBackend = () => backend.stop();
    const { port } = backend;

    const bundle = await bundling;
    cleanupBundle = bundle.cleanup;
    pageServer = await servePage(
      bundle.file,
      {
        entity: storefront,
        userEntityRef: USER,
        ownershipEntityRefs: OWNERSHIP,
        authorization: `Bearer ${await backend.tokenFor(USER)}`,
      },
      `http://127.0.0.1:${port}`,
    );
    secondOwnerServer = await servePage(
      bundle.file,
      {
        entity: storefront,
        userEntityRef: SECOND_OWNER,
        ownershipEntityRefs: [SECOND_OWNER, 'group:default/shop-team'],
        authorization: `Bearer ${await backend.tokenFor(SECOND_OWNER)}`,
      },
      `http://127.0.0.1:${port}`,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Waits end on their condition; the bound, under the tests' own, only names a hang.
    page.setDefaultTimeout(PAGE_WAIT_BOUND_MS);
    page.on('pageerror', error => consoleErrors.push(error.message));
    await mkdir(RESULTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pageServer?.stop();
    await secondOwnerServer?.stop();
    await stopBackend?.();
    await postgres?.stop();
    await cluster?.stop();
    await cleanupBundle?.();
    if (repoDir) await rm(repoDir, { recursive: true, force: true });
  });

  it('shows the entity’s snapshots', async () => {
    await page.goto(pageServer.url);
    await page.getByText('1 snapshot', { exact: true }).waitFor();
    await page
      .getByRole('button', { name: `Details of snapshot ${snapshotId.slice(0, 12)}` })
      .waitFor();
    const table = page.getByRole('table').first();
    await expectText(table.innerText(), /kube-test/); // the captured context's name
    await expectText(table.innerText(), /release/);
    await page.screenshot({ path: join(RESULTS, 'frontend-snapshots.png'), fullPage: true });

    await page.getByRole('button', { name: /^Details of snapshot/ }).click();
    const detail = page.getByRole('dialog', { name: /^Snapshot / });
    await detail.getByRole('table', { name: 'Deployment objects' }).waitFor();
    await expectText(detail.innerText(), /storefront/);
    await detail.getByRole('button', { name: 'Close' }).click();
    await detail.waitFor({ state: 'detached' });
    expect(consoleErrors).toEqual([]);
  });

  it('hydrates the snapshot into a dev namespace: the review lists what is then written, and the objects land in the cluster', async () => {
    await page.getByRole('button', { name: /^Hydrate from snapshot/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Hydrate from snapshot/ });
    const target = dialog.getByRole('combobox', { name: 'Target' });
    await target.waitFor();
    expect(await target.inputValue()).toBe('dev');
    await dialog.getByRole('textbox', { name: 'Namespace' }).fill('dev-alice');
    await dialog.getByRole('button', { name: 'Review' }).click();
    const review = dialog.getByRole('list', { name: 'Will be created or updated' });
    await review.waitFor();
    const reviewed = await review.getByRole('listitem').allInnerTexts();
    await page.screenshot({ path: join(RESULTS, 'frontend-hydrate-dialog.png') });
    await dialog.getByRole('button', { name: 'Hydrate', exact: true }).click();

    await dialog.getByText('Hydrated dev-alice in dev').waitFor();
    const result = dialog.getByRole('list', { name: 'Objects written' });
    // The review listed exactly what the hydration then wrote: per kind, as many objects
    // with the same names ("2 Deployments (cart, storefront)"), and no other kind.
    const writtenByKind = new Map<string, string[]>();
    for (const line of await result.getByRole('listitem').allInnerTexts()) {
      const [, kind, name] = /^(\w+)\/(\S+)(?: in dev-alice)?: (created|updated)$/.exec(line) ?? [];
      expect({ line, parsed: Boolean(kind) }).toEqual({ line, parsed: true });
      writtenByKind.set(kind, [...(writtenByKind.get(kind) ?? []), name].sort());
    }
    const reviewedAsWritten = reviewed
      .map(item => {
        const [, count, names] = /^(\d+) \w+ \((.*)\)$/.exec(item) ?? [];
        return `${count}: ${(names ?? '').split(', ').sort().join(', ')}`;
      })
      .sort();
    expect(reviewedAsWritten).toEqual(
      [...writtenByKind.values()].map(names => `${names.length}: ${names.join(', ')}`).sort(),
    );
    // The snapshot's other entity, its namespace and the cluster-scoped objects a hydration
    // leaves out are not in the review; plurals are the cluster's, not a guess.
    expect(reviewed.join('\n')).not.toMatch(/payments|CustomResourceDefinition|Secret/);
    expect(reviewed.join('\n')).not.toMatch(/Policys|Ingresss|Classs/);
    expect(reviewed).toEqual(expect.arrayContaining([expect.stringMatching(/^2 Deployments \(/)]));
    await expectText(result.innerText(), /Deployment\/storefront in dev-alice: created/);
    await expectText(result.innerText(), /Service\/storefront in dev-alice: created/);
    // Production Secrets stayed behind; the page names those the workloads need.
    await expectText(dialog.innerText(), /storefront-secrets/);
    await page.screenshot({ path: join(RESULTS, 'frontend-hydrate-result.png') });
    const deployment = cluster.store.get('apps/v1', 'Deployment', 'dev-alice', 'storefront');
    expect(deployment?.spec).toMatchObject({ replicas: 1 });
    expect(deployment?.metadata?.labels?.['kube-backup.io/hydrated-from']).toBe(
      snapshotId.slice(0, 16),
    );
    expect(cluster.store.list('v1', 'Service', 'dev-alice').map(s => s.metadata?.name)).toContain(
      'storefront',
    );
    expect(cluster.store.get('v1', 'Secret', 'dev-alice', 'storefront-secrets')).toBeUndefined();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('table', { name: 'Hydrations' }).getByText('dev/dev-alice').waitFor();
  });

  it('explains a refused hydration into a protected namespace (403) at review, before anything can start', async () => {
    await page.getByRole('button', { name: /^Hydrate from snapshot/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Hydrate from snapshot/ });
    await dialog.getByRole('combobox', { name: 'Target' }).waitFor();
    // dev-* allows it; the backend's protected namespaces do not.
    await dialog.getByRole('textbox', { name: 'Namespace' }).fill('dev-protected');
    await dialog.getByRole('button', { name: 'Review' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    await expectText(alert.innerText(), /You are not allowed to hydrate into dev \/ dev-protected/);
    await expectText(alert.innerText(), /is protected/);
    await expectText(alert.innerText(), /Ask an owner of component:default\/storefront/);
    expect(await dialog.getByRole('button', { name: 'Hydrate', exact: true }).isDisabled()).toBe(
      true,
    );
    await page.screenshot({ path: join(RESULTS, 'frontend-hydrate-403.png') });
    expect(cluster.store.list('apps/v1', 'Deployment', 'dev-protected')).toEqual([]);
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('requests a restore; the requester may not approve it, another owner does and sees the outcome', async () => {
    await page.getByRole('button', { name: /^Request restore of snapshot/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Request a restore/ });
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('bad deploy on Friday');
    await dialog.getByRole('button', { name: 'Request restore' }).click();
    await dialog.getByText('Restore requested').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const pending = page.getByRole('table', { name: 'Pending (1)' });
    await pending.waitFor();
    await expectText(pending.innerText(), /bad deploy on Friday/);
    await page.screenshot({ path: join(RESULTS, 'frontend-requests-pending.png'), fullPage: true });
    // Four eyes: the owner who asked cannot approve.
    await pending.getByRole('button', { name: /^Approve restore request/ }).click();
    const own = page.getByRole('dialog', { name: /^Approve the restore/ });
    await own.getByRole('button', { name: 'Approve', exact: true }).click();
    const refusal = own.getByRole('alert');
    await refusal.waitFor();
    await expectText(refusal.innerText(), /You cannot decide on this restore request/);
    await expectText(
      refusal.innerText(),
      /user:default\/alice requested this restore; another owner of component:default\/storefront/,
    );
    await page.screenshot({ path: join(RESULTS, 'frontend-requests-four-eyes.png') });
    await own.getByRole('button', { name: 'Cancel' }).click();
    await own.waitFor({ state: 'detached' });

    const second = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    second.setDefaultTimeout(PAGE_WAIT_BOUND_MS);
    second.on('pageerror', error => consoleErrors.push(error.message));
    await second.goto(secondOwnerServer.url);
    const waiting = second.getByRole('table', { name: 'Pending (1)' });
    await waiting
      .getByRole('button', { name: /^Approve restore request from user:default\/alice/ })
      .click();
    const confirm = second.getByRole('dialog', { name: /^Approve the restore/ });
    await confirm.getByRole('textbox', { name: 'Comment' }).fill('go');
    await confirm.getByRole('button', { name: 'Approve', exact: true }).click();
    const history = second.getByRole('table', { name: 'History (1)' });
    await history.waitFor();
    // The restore runs in the backend; the page polls until it has an outcome.
    await history.getByText(/^succeeded$/).waitFor();
    await expectText(history.innerText(), /user:default\/carol/);
    await expectText(history.innerText(), /“go”/);
    await second.screenshot({ path: join(RESULTS, 'frontend-requests.png'), fullPage: true });
    await second.close();
    expect(consoleErrors).toEqual([]);
  });
});

async function expectText(text: Promise<string>, pattern: RegExp): Promise<void> {
  expect(await text).toMatch(pattern);
}
