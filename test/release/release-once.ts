// The packaging suites check one `yarn release`, made once before them: the release suite
// its artifacts, the adopter suite its npm packages installed into an app. Releasing builds
// and packs every workspace (packing rewrites a workspace's package.json until it is done),
// so nothing else may build or pack while it runs; once it is made, the suites only read it
// and can run side by side.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const DIR_VARIABLE = 'KUBE_BACKUP_TEST_RELEASE_DIR';
const URL_VARIABLE = 'KUBE_BACKUP_TEST_RELEASE_BASE_URL';

/** The release the suites check: its directory and the URL its files are served from. */
export interface ReleaseUnderTest {
  dir: string;
  baseUrl: string;
  version: string;
}

/** The release made before the suites ran (jest.packaging.config.js's globalSetup). */
export async function releaseUnderTest(): Promise<ReleaseUnderTest> {
  const dir = process.env[DIR_VARIABLE];
  const baseUrl = process.env[URL_VARIABLE];
  if (!dir || !baseUrl) {
    throw new Error(
      `no release was made for this run: run the packaging suites with jest -c jest.packaging.config.js (${DIR_VARIABLE} is not set)`,
    );
  }
  return { dir, baseUrl, version: await rootVersion() };
}

/** The version `yarn release` releases: the root package.json's. */
async function rootVersion(): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
}

interface Made {
  work: string;
  server: Server;
}
const MADE = Symbol.for('kube-backup.test-release');
type Holder = { [MADE]?: Made };

/** globalSetup: serves a fresh directory as a release page would, and releases into it. */
export async function makeRelease(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'kube-backup-release-'));
  const dir = join(work, 'release');
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
      .split('/')
      .pop()!;
    const stream = createReadStream(join(dir, name));
    stream.on('error', () => res.writeHead(404).end());
    stream.pipe(res);
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  (globalThis as Holder)[MADE] = { work, server };
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/releases/v${await rootVersion()}`;
  const releasing = new Promise<void>((done, fail) => {
    const child = execFile(
      process.execPath,
      ['scripts/release.mjs', '--base-url', baseUrl, '--out', dir],
      { cwd: ROOT, maxBuffer: 64 << 20 },
      error => (error ? fail(new Error(`yarn release failed: ${error.message}`)) : done()),
    );
    // The release script's progress goes to this run's output.
    child.stderr?.pipe(process.stderr);
  });
  // jest runs no globalTeardown after a failed globalSetup.
  await releasing.catch(async error => {
    await removeRelease();
    throw error;
  });
  process.env[DIR_VARIABLE] = dir;
  process.env[URL_VARIABLE] = baseUrl;
}

/** globalTeardown: stops serving the release and removes it. */
export async function removeRelease(): Promise<void> {
  const made = (globalThis as Holder)[MADE];
  if (!made) return;
  await new Promise(done => made.server.close(done));
  await rm(made.work, { recursive: true, force: true });
}
