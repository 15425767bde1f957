// Test helper: a real PostgreSQL server started for one test file (Debian package
// `postgresql`). Not exported from the package.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin directory, or undefined when none is installed. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter(version => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
}

/** Why no PostgreSQL server can be started here, or undefined when one can. */
export function postgresMissing(): string | undefined {
  return findPostgresBin()
    ? undefined
    : 'PostgreSQL is not installed (Debian package "postgresql", installed by scripts/toolchain.sh)';
}

export interface TestPostgres {
  port: number;
  /** A fresh, empty database on the server. */
  newDatabase(): Promise<Knex>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const TEMPLATES = resolve(__dirname, '../../../../node_modules/.cache/kube-backup-postgres');

/**
 * A data directory as initdb makes it, made once per PostgreSQL major version on this machine
 * (under node_modules/.cache) and copied for each server. Made in a directory of its own and
 * renamed into place, so test files starting at once never see half of one.
 */
async function templateData(
  bin: string,
  exec: (command: string, args: string[]) => Promise<unknown>,
  ownedLike?: string,
): Promise<string> {
  const template = join(TEMPLATES, basename(dirname(bin)));
  if (existsSync(join(template, 'data', 'PG_VERSION'))) return join(template, 'data');
  await mkdir(TEMPLATES, { recursive: true });
  const making = await mkdtemp(`${template}.making-`);
  try {
    if (ownedLike) await run('chown', ['--reference', ownedLike, making]);
    await exec('initdb', [
      '-D',
      join(making, 'data'),
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await rename(making, template).catch(error => {
      // Another test file made it first: use theirs.
      if (!existsSync(join(template, 'data', 'PG_VERSION'))) throw error;
    });
  } finally {
    await rm(making, { recursive: true, force: true });
  }
  return join(template, 'data');
}

/** Starts a PostgreSQL server for this test file (see postgresMissing for where it comes from). */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresMissing());
  const dir = await mkdtemp(join(tmpdir(), 'kube-backup-pg-'));
  const data = join(dir, 'data');
  // initdb refuses to run as root: run the server as the postgres user then.
  const asRoot = process.getuid?.() === 0;
  let prefix: string[] = [];
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    prefix = ['runuser', '-u', 'postgres', '--'];
  }
  const exec = (command: string, args: string[]) =>
    asRoot
      ? run(prefix[0], [...prefix.slice(1), join(bin, command), ...args])
      : run(join(bin, command), args);
  // A copy of an initialised data directory: the same as initdb's, in a fraction of its time.
  await run('cp', ['-a', await templateData(bin, exec, asRoot ? dir : undefined), data]);
  const port = await freePort();
  await exec('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  const connection = { host: '127.0.0.1', port, user: 'postgres', password: '' };
  const admin = knexFactory({ client: 'pg', connection: { ...connection, database: 'postgres' } });
  const clients: Knex[] = [];
  let count = 0;
  return {
    port,
    async newDatabase() {
      count += 1;
      const database = `kube_backup_test_${count}`;
      await admin.raw(`CREATE DATABASE ${database}`);
      const client = knexFactory({
        client: 'pg',
        connection: { ...connection, database },
        pool: { min: 0, max: 5 },
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map(client => client.destroy()));
      await admin.destroy();
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
