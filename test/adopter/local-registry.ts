// An npm registry on localhost that has published the packed packages: a Backstage app
// installs them with the very commands the READMEs give, as it would from npmjs.com.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  stop(): Promise<void>;
}

interface Published {
  manifest: { name: string; version: string } & Record<string, unknown>;
  file: string;
  data: Buffer;
}

async function readTarball(file: string): Promise<Published> {
  const { stdout } = await run('tar', ['-xzOf', file, 'package/package.json'], {
    maxBuffer: 16 << 20,
  });
  return { manifest: JSON.parse(stdout), file: basename(file), data: await readFile(file) };
}

/**
 * Serves each tarball under its package name as the only, latest version, published at
 * `publishedAt` (package managers that hold back young releases read this).
 */
export async function startLocalRegistry(
  tarballs: string[],
  publishedAt = new Date(),
): Promise<LocalRegistry> {
  const packages = new Map<string, Published>();
  for (const tarball of tarballs) {
    const published = await readTarball(tarball);
    packages.set(published.manifest.name, published);
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const tarball = [...packages.values()].find(p => path === `/-/tarballs/${p.file}`);
    if (tarball) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(tarball.data);
      return;
    }
    const published = packages.get(path.slice(1));
    if (!published) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const { manifest, file, data } = published;
    const { port } = server.address() as AddressInfo;
    const time = publishedAt.toISOString();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        name: manifest.name,
        'dist-tags': { latest: manifest.version },
        time: { created: time, modified: time, [manifest.version]: time },
        versions: {
          [manifest.version]: {
            ...manifest,
            dist: {
              tarball: `http://127.0.0.1:${port}/-/tarballs/${file}`,
              shasum: createHash('sha1').update(data).digest('hex'),
              integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
            },
          },
        },
      }),
    );
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>(done => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
