// The packages as an adopter gets them: packed by `yarn release` (made once for the packaging
// suites, test/release/release-once.ts), published to a registry,
// installed into an app made by @backstage/create-app by the commands of their READMEs,
// type-checked and built by the app's own scripts, then run: the built backend answers the
// plugin's snapshot route for a signed-in user, and the entity page shows the Backups tab.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { dump } from 'js-yaml';
import {
  startDevEnvironment,
  type DevEnvironment,
} from '../../plugins/kube-backup-backend/dev/environment';
import { storefront } from '../fixtures/entities';
import { freePort } from '../e2e/dev-app-harness';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/frontend-harness';
import { freshApp, sh, type Log } from './backstage-app';
import { releaseUnderTest } from '../release/release-once';
import { startLocalRegistry, type LocalRegistry } from './local-registry';
import { applyCode, readInstallSteps } from './readme-install';

const ROOT = resolve(__dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
const MINUTE = 60_000;

/** The four published packages, dependencies first. */
const PACKAGES = [
  '@kube-backup/core',
  '@kube-backup/backstage-plugin-kube-backup-common',
  '@kube-backup/backstage-plugin-kube-backup',
  '@kube-backup/backstage-plugin-kube-backup-backend',
];
/** Libraries the plugins share with Backstage's catalog plugins (frontend, backend). */
const FRONTEND_LIBRARIES = [
  '@backstage/plugin-catalog-react',
  '@backstage/frontend-plugin-api',
  '@backstage/core-plugin-api',
  '@backstage/core-components',
  '@backstage/catalog-model',
];
const BACKEND_LIBRARIES = [
  '@backstage/backend-plugin-api',
  '@backstage/plugin-catalog-node',
  '@backstage/plugin-permission-node',
  '@backstage/catalog-model',
];
/** Whose READMEs' Install sections an app follows. */
const INSTALLED = ['plugins/kube-backup', 'plugins/kube-backup-backend'];

const started = Date.now();
const log: Log = message =>
  process.stderr.write(`[adopter ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

let work: string;
let tarballs: string[];
let registry: LocalRegistry | undefined;
let app: string;
let environment: DevEnvironment | undefined;
let backend: ChildProcess | undefined;
let backendOutput = '';
let backendUrl: string;
let browser: Browser | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kube-backup-adopter-'));
  await mkdir(RESULTS, { recursive: true });
}, MINUTE);

afterAll(async () => {
  await browser?.close();
  if (backend?.pid && backend.exitCode === null) {
    const exited = new Promise(done => backend!.once('close', done));
    process.kill(-backend.pid, 'SIGTERM');
    await exited;
  }
  await environment?.stop();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it(
  'releases the four packages with built code, types and the config schema, and no sources, tests or dev files',
  async () => {
    const release = await releaseUnderTest();
    // yarn pack names a scoped package's archive @scope-name-version.tgz.
    tarballs = PACKAGES.map(name =>
      join(release.dir, 'npm', `${name.replace('/', '-')}-${release.version}.tgz`),
    );
    const listing = async (tarball: string) =>
      (await sh(`tar -tzf '${tarball}'`, ROOT, () => undefined)).trim().split('\n');
    for (const [i, tarball] of tarballs.entries()) {
      const files = await listing(tarball);
      expect(files).toContain('package/dist/index.d.ts');
      expect(
        files.filter(file => /^package\/(src|dev|test)\/|\.test\.[jt]sx?$/.test(file)),
      ).toEqual([]);
      const manifest = JSON.parse(
        await sh(`tar -xzOf '${tarball}' package/package.json`, ROOT, () => undefined),
      );
      expect(manifest.name).toBe(PACKAGES[i]);
      expect(manifest.private).toBeUndefined();
      expect(manifest.scripts?.postinstall).toBeUndefined();
      expect(manifest.main).toMatch(/^dist\//);
      // Workspace references become the versions published beside them.
      expect(JSON.stringify(manifest.dependencies)).not.toMatch(/workspace:/);
    }
    const backendFiles = await listing(tarballs[3]);
    expect(backendFiles).toContain('package/config.schema.json');
    expect(backendFiles.some(file => file.startsWith('package/migrations/'))).toBe(true);
    const frontend = JSON.parse(
      await sh(`tar -xzOf '${tarballs[2]}' package/package.json`, ROOT, () => undefined),
    );
    expect(frontend.exports['./alpha']).toMatchObject({
      import: './dist/alpha.esm.js',
      types: './dist/alpha.d.ts',
    });
  },
  10 * MINUTE,
);

it(
  'has an app made by @backstage/create-app on the supported release, Backstage 1.55.0',
  async () => {
    // Made and installed once (many minutes on a busy machine), then kept; see freshApp.
    const fresh = await freshApp(log);
    app = fresh.dir;
    log(`the app is on Backstage ${fresh.release}`);
    expect(fresh.release).toBe('1.55.0');
  },
  45 * MINUTE,
);

it(
  'installs into the app by the READMEs’ Install sections',
  async () => {
    registry = await startLocalRegistry(tarballs);
    // What publishing does: the @kube-backup scope now resolves from a registry that has it.
    await sh(
      `yarn config set npmScopes.kube-backup.npmRegistryServer ${registry.url} && yarn config set --json unsafeHttpWhitelist '["127.0.0.1"]'`,
      app,
      log,
    );
    for (const dir of INSTALLED) {
      for (const step of await readInstallSteps(join(ROOT, dir, 'README.md'))) {
        if (step.kind === 'command') {
          log(`$ ${step.command}`);
          await sh(step.command, app, log);
        } else {
          log(`editing ${step.file}`);
          await applyCode(app, step.file, step.lines);
        }
      }
    }
    // The plugins take each Backstage library they share with the app in the version the
    // app's own plugins of the same kind use: no second version to ship or to mismatch.
    const version = async (from: string, library: string) =>
      (
        await sh(
          `node -p "require(require.resolve('${library}/package.json', { paths: ['node_modules/${from}'] })).version"`,
          app,
          () => undefined,
        )
      ).trim();
    const shared = [
      ['@backstage/plugin-catalog', 'backstage-plugin-kube-backup', FRONTEND_LIBRARIES],
      [
        '@backstage/plugin-catalog-backend',
        'backstage-plugin-kube-backup-backend',
        BACKEND_LIBRARIES,
      ],
    ] as const;
    for (const [theirs, ours, libraries] of shared) {
      for (const library of libraries) {
        const versions = {
          library,
          app: await version(theirs, library),
          plugin: await version(`@kube-backup/${ours}`, library),
        };
        expect(versions).toEqual({ ...versions, plugin: versions.app });
      }
    }
  },
  20 * MINUTE,
);

it(
  'type-checks and builds with the app’s own scripts',
  async () => {
    log('$ yarn tsc');
    await sh('yarn tsc', app, log);
    log('$ yarn build:backend');
    await sh('yarn build:backend', app, log);
    expect(existsSync(join(app, 'packages/backend/dist/bundle.tar.gz'))).toBe(true);
  },
  20 * MINUTE,
);

it(
  'runs the built backend: a signed-in user gets the entity’s snapshots from the plugin',
  async () => {
    environment = await startDevEnvironment(log);
    const entities = join(work, 'entities.yaml');
    await writeFile(entities, dump(storefront));
    const port = await freePort();
    backendUrl = `http://localhost:${port}`;
    const config = join(work, 'app-config.adopter.yaml');
    await writeFile(
      config,
      dump({
        app: { baseUrl: backendUrl },
        backend: { baseUrl: backendUrl, listen: { port }, cors: { origin: backendUrl } },
        catalog: {
          locations: [{ type: 'file', target: entities, rules: [{ allow: ['Component'] }] }],
        },
        // The built backend runs as in production, where the guest sign-in must be allowed
        // explicitly: the test signs in as the guest.
        auth: { providers: { guest: { dangerouslyAllowOutsideDevelopment: true } } },
        kubeBackup: {
          repository: { location: environment.repository, password: environment.password },
          clusters: [{ name: 'production', kubeconfig: environment.kubeconfig }],
        },
      }),
    );
    // The built backend as its Dockerfile runs it: the bundle unpacked, beside the app's
    // installed node_modules.
    const bundle = join(work, 'bundle');
    await mkdir(bundle);
    await sh(
      `tar -xzf '${join(app, 'packages/backend/dist/bundle.tar.gz')}' -C '${bundle}'`,
      app,
      log,
    );
    await symlink(join(app, 'node_modules'), join(bundle, 'node_modules'));
    const { NODE_ENV: _jest, ...env } = process.env;
    backend = spawn(
      process.execPath,
      ['packages/backend', '--config', join(app, 'app-config.yaml'), '--config', config],
      { cwd: bundle, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [backend.stdout!, backend.stderr!])
      stream.on('data', chunk => (backendOutput += chunk));

    await until('the backend is ready', 3 * MINUTE, async () => {
      const res = await fetch(`${backendUrl}/.backstage/health/v1/readiness`).catch(
        () => undefined,
      );
      return res?.ok;
    });
    const guest = await fetch(`${backendUrl}/api/auth/guest/refresh?env=development`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(guest.status).toBe(200);
    const token = (await guest.json()).backstageIdentity.token as string;
    const route = `${backendUrl}/api/kube-backup/entities/component/default/storefront/snapshots`;
    let snapshots: Response | undefined;
    // The catalog ingests the entity's location shortly after start.
    await until('the catalog has the entity', 2 * MINUTE, async () => {
      snapshots = await fetch(route, { headers: { authorization: `Bearer ${token}` } });
      return snapshots.status !== 404;
    });
    expect(snapshots!.status).toBe(200);
    const list = await snapshots!.json();
    expect(list.totalCount).toBe(3);
    expect(list.items.map((item: { tags: string[] }) => item.tags).flat()).toEqual(
      expect.arrayContaining(['nightly', 'release', 'daily']),
    );
    const anonymous = await fetch(route);
    expect(anonymous.status).toBe(401);
  },
  10 * MINUTE,
);

it(
  'shows the entity page’s Backups tab in the app the backend serves',
  async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--disable-quic'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', error => pageErrors.push(error.message));
    await page.goto(`${backendUrl}/catalog/default/component/storefront/kube-backup`);
    await page.getByRole('button', { name: 'Enter' }).click({ timeout: 2 * MINUTE }); // as the guest
    await page.getByRole('link', { name: 'Backups' }).waitFor({ timeout: MINUTE });
    await page.getByText('3 snapshots', { exact: true }).waitFor({ timeout: MINUTE });
    const table = page.getByRole('table').first();
    for (const tag of ['nightly', 'release', 'daily'])
      await table.getByText(tag, { exact: true }).waitFor();
    await page.screenshot({ path: join(RESULTS, 'adopter-backups-tab.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  },
  5 * MINUTE,
);

/** Checks `condition` until it holds; fails naming `what` (and the backend's output) after `ms`. */
async function until(what: string, ms: number, condition: () => Promise<boolean | undefined>) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (backend && backend.exitCode !== null)
      throw new Error(
        `the backend exited (${backend.exitCode}) before ${what}:\n${backendOutput.slice(-6000)}`,
      );
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms / 1000}s:\n${backendOutput.slice(-6000)}`);
    // Each check is a request to the backend; this only spaces them out.
    await new Promise(done => setTimeout(done, 500));
  }
}

it('leaves the app wired as the READMEs say', async () => {
  expect(await readFile(join(app, 'packages/app/src/App.tsx'), 'utf8')).toMatch(
    /import kubeBackupPlugin from '@kube-backup\/backstage-plugin-kube-backup\/alpha';[\s\S]*features: \[[^\]]*kubeBackupPlugin\]/,
  );
  expect(await readFile(join(app, 'packages/backend/src/index.ts'), 'utf8')).toMatch(
    /backend\.add\(import\('@kube-backup\/backstage-plugin-kube-backup-backend'\)\);\n\nbackend\.start\(\);/,
  );
});
