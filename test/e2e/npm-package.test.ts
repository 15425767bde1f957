import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './harness';

const run = promisify(execFile);

/**
 * `npm install -g kubectl-backup` for people who have Node: the packed npm package is the
 * bundle alone with a `bin`, and installs without fetching anything.
 */
describe('the kubectl-backup npm package', () => {
  let dir: string;
  let tarball: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubectl-backup-npm-'));
    tarball = join(dir, 'kubectl-backup.tgz');
    await run('yarn', ['workspace', 'kubectl-backup', 'pack', '--out', tarball], { cwd: ROOT });
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the bundle, its README and a manifest with no dependencies', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    expect(stdout.trim().split('\n').sort()).toEqual([
      'package/README.md',
      'package/dist/kubectl-backup',
      'package/package.json',
    ]);
    const manifest = JSON.parse(
      (await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout,
    );
    // A string `bin` names a command after the package: the same thing, as Yarn writes it.
    const bin = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : manifest.bin;
    expect(bin).toEqual({ 'kubectl-backup': 'dist/kubectl-backup' });
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.private).toBeUndefined();
  });

  it('installs globally into a prefix and runs kubectl-backup --help', async () => {
    const prefix = join(dir, 'prefix');
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball],
      {
        env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') },
      },
    );
    const bin = join(prefix, 'bin/kubectl-backup');
    const help = await run(bin, ['--help']);
    expect(help.stdout).toMatch(
      /^kubectl backup: back up, restore and hydrate Kubernetes applications/,
    );
    expect(help.stdout).toMatch(/kubectl backup create/);
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect((await run(bin, ['--version'])).stdout.trim()).toBe(version);
  });
});
