// Serving the frontend plugin to a real browser: the e2e page (plugins/kube-backup/dev/
// e2e-app.tsx) bundled with esbuild, and a local HTTP server that serves it and proxies
// /api/kube-backup to a backend started with startTestBackend.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

export const CHROMIUM = '/usr/bin/chromium';
/**
 * How long one page wait may take before it fails naming what it awaited: generous, for a
 * busy machine, and below jest's per-test bound so the page's own message is the one seen.
 */
export const PAGE_WAIT_BOUND_MS = 100_000;
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Why no browser can be started here, or undefined when one can. */
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is absent (Debian package "chromium", installed by scripts/toolchain.sh)`;

/** Bundles the e2e page; esbuild runs in its own process (not inside jest's globals). */
export async function bundleE2eApp(): Promise<{ file: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-backup-frontend-e2e-'));
  const file = join(dir, 'app.js');
  const options = {
    entryPoints: [join(ROOT, 'plugins/kube-backup/dev/e2e-app.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outfile: file,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"', global: 'window' },
    loader: { '.css': 'empty', '.svg': 'dataurl', '.png': 'dataurl', '.woff2': 'dataurl' },
    logLevel: 'error',
  };
  const esbuild = require.resolve('esbuild', { paths: [ROOT] });
  await run(
    process.execPath,
    ['-e', `require(${JSON.stringify(esbuild)}).buildSync(${JSON.stringify(options)})`],
    { cwd: ROOT, maxBuffer: 16 << 20 },
  );
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface PageServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves the page (with `settings` for it) and proxies /api/kube-backup to `backend`. */
export async function servePage(
  bundle: string,
  settings: unknown,
  backend: string,
): Promise<PageServer> {
  const script = await readFile(bundle);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kube-backup</title>
<script>window.KUBE_BACKUP_E2E = ${JSON.stringify(settings).replace(/</g, '\\u003c')};</script>
</head><body><div id="root"></div><script src="/app.js"></script></body></html>`;
  const target = new URL(backend);
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/kube-backup/')) {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: url,
          headers: { ...req.headers, host: target.host },
        },
        response => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', error => {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(String(error));
      });
      req.pipe(upstream);
      return;
    }
    if (url === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(script);
      return;
    }
    if (url === '/' || url.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>(done => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
