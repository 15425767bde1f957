// The dev apps a plugin developer starts: `yarn start` in the backend plugin (a Backstage
// backend with guest sign-in, the bundled test cluster and a repository of snapshots) and
// `yarn start` in the frontend plugin (Backstage's dev app), driven in headless Chromium.
// It always runs on the bundled cluster: that is what the dev backend is for.
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { devAppConfigEnv, freePort, yarnStart, type DevProcess } from './dev-app-harness';
import { describeNeeding } from '../src/testing/components';
import { CHROMIUM, CHROMIUM_ARGS, PAGE_WAIT_BOUND_MS, chromiumMissing } from './frontend-harness';
import { kubectl } from './harness';

const RESULTS = resolve(__dirname, '../../test-results');

const describeWithChromium = describeNeeding([chromiumMissing]);

describeWithChromium('the dev apps (yarn start in the plugins)', () => {
  let backend: DevProcess;
  let frontend: DevProcess;
  let browser: Browser;
  let page: Page;
  let appUrl: string;
  let kubeconfig: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const ports = { app: await freePort(), backend: await freePort() };
    const env = devAppConfigEnv(ports);
    appUrl = `http://localhost:${ports.app}`;
    backend = yarnStart('plugins/kube-backup-backend', env);
    frontend = yarnStart('plugins/kube-backup', env);
    [, kubeconfig] = await backend.waitFor(/test cluster at \S+ \(kubeconfig (\S+)\)/, 120_000);
    await Promise.all([
      backend.waitFor(/Plugin initialization complete/, 120_000),
      frontend.waitFor(/compiled successfully/, 240_000),
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(PAGE_WAIT_BOUND_MS);
    page.on('pageerror', error => pageErrors.push(error.message));
    await mkdir(RESULTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([frontend?.stop(), backend?.stop()]);
  });

  it('signs in as the guest and shows the sample entity’s snapshot history', async () => {
    await page.goto(`${appUrl}/kube-backup`);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByText('3 snapshots', { exact: true }).waitFor();
    const table = page.getByRole('table').first();
    for (const tag of ['nightly', 'release', 'v2.4.0', 'daily']) {
      await table.getByText(tag, { exact: true }).waitFor();
    }
    // The guest is in the owning group, so it may hydrate and decide on restores.
    await page
      .getByRole('button', { name: /^Hydrate from snapshot/ })
      .first()
      .waitFor();
    await page.screenshot({ path: join(RESULTS, 'dev-app.png'), fullPage: true });

    // The second sample entity, in a snapshot of its own and in the two-entity one.
    await page.getByRole('link', { name: 'payments-api' }).click();
    await page.getByText('2 snapshots', { exact: true }).waitFor();
    expect(await page.getByRole('table').first().innerText()).toMatch(/payments/);
    await page.getByRole('link', { name: 'storefront' }).click();
    await page.getByText('3 snapshots', { exact: true }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('brings a deleted ConfigMap back through a restore request the owner approves', async () => {
    await kubectl(kubeconfig, ['delete', 'configmap', 'storefront-config', '-n', 'shop']);
    await page
      .getByRole('button', { name: /^Request restore of snapshot/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: /^Request a restore/ });
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('config deleted by mistake');
    await dialog.getByRole('button', { name: 'Request restore' }).click();
    await dialog.getByText('Restore requested').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const pending = page.getByRole('table', { name: 'Pending (1)' });
    await pending.getByRole('button', { name: /^Approve restore request/ }).click();
    const confirm = page.getByRole('dialog', { name: /^Approve the restore/ });
    await confirm.getByRole('button', { name: 'Approve', exact: true }).click();
    const history = page.getByRole('table', { name: 'History (1)' });
    await history.getByText(/^succeeded$/).waitFor();
    await history.getByRole('button', { name: 'Show log' }).click();
    const log = history.getByRole('list', { name: /^Log of the restore of snapshot/ });
    expect(await log.innerText()).toMatch(/restore finished/);
    await page.screenshot({ path: join(RESULTS, 'dev-app-restore.png'), fullPage: true });

    const restored = await kubectl(kubeconfig, [
      'get',
      'configmap',
      'storefront-config',
      '-n',
      'shop',
      '-o',
      'jsonpath={.metadata.name}',
    ]);
    expect(restored).toBe('storefront-config');
    expect(pageErrors).toEqual([]);
  });
});
