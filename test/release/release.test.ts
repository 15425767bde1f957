// `yarn release` end to end (made once for the packaging suites, release-once.ts): every
// artifact in the release directory, its checksums, the krew manifest held to krew's rules
// and to the archives actually produced, and the archives installed the way krew installs
// them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import yauzl from 'yauzl';
import { startContainerd } from '../src/testing/containerd';
import { krewViolations, type KrewPlugin } from './krew-rules';
import { releaseUnderTest } from './release-once';

const run = promisify(execFile);
const MINUTE = 60_000;

/** Scratch space for installing and unpacking. */
let dir: string;
let release: string;
let baseUrl: string;
let version: string;

const PLATFORMS = [
  { os: 'linux', arch: 'amd64', archive: 'tar.gz', exe: 'kubectl-backup' },
  { os: 'linux', arch: 'arm64', archive: 'tar.gz', exe: 'kubectl-backup' },
  { os: 'darwin', arch: 'amd64', archive: 'tar.gz', exe: 'kubectl-backup' },
  { os: 'darwin', arch: 'arm64', archive: 'tar.gz', exe: 'kubectl-backup' },
  { os: 'windows', arch: 'amd64', archive: 'zip', exe: 'kubectl-backup.exe' },
];

/** The container images released as OCI archives, under docker.io/kube-backup/<name>. */
const IMAGES = ['cli', 'mover'];
const imageArchive = (name: string) => `kube-backup-${name}_v${version}_linux_amd64.oci.tar`;

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

function zipEntries(file: string): Promise<Map<string, Buffer>> {
  return new Promise((done, fail) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return fail(error);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (openError, stream) => {
          if (openError) return fail(openError);
          const chunks: Buffer[] = [];
          stream.on('data', chunk => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => done(entries));
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  ({ dir: release, baseUrl, version } = await releaseUnderTest());
  dir = await mkdtemp(join(tmpdir(), 'kube-backup-release-check-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('lists every artifact in SHA256SUMS with its sum, as sha256sum checks it', async () => {
  const sums = (await readFile(join(release, 'SHA256SUMS'), 'utf8')).trim().split('\n');
  const files = sums.map(line => line.split('  ')[1]).sort();
  expect(files).toEqual(
    [
      `npm/@kube-backup-backstage-plugin-kube-backup-${version}.tgz`,
      `npm/@kube-backup-backstage-plugin-kube-backup-backend-${version}.tgz`,
      `npm/@kube-backup-backstage-plugin-kube-backup-common-${version}.tgz`,
      `npm/@kube-backup-core-${version}.tgz`,
      `npm/kubectl-backup-${version}.tgz`,
      'krew/plugins/backup.yaml',
      ...PLATFORMS.map(p => `kubectl-backup_v${version}_${p.os}_${p.arch}.${p.archive}`),
      ...IMAGES.map(imageArchive),
    ].sort(),
  );
  const { stdout } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: release });
  expect(stdout.trim().split('\n')).toHaveLength(files.length);
  // Every package carries the one release version, and so do the references between them.
  for (const file of files.filter(name => name.startsWith('npm/'))) {
    const manifest = JSON.parse(
      (await run('tar', ['-xzOf', join(release, file), 'package/package.json'])).stdout,
    );
    expect(manifest.version).toBe(version);
    for (const [name, range] of Object.entries<string>(manifest.dependencies ?? {}))
      if (name.startsWith('@kube-backup/')) expect(range).toBe(`^${version}`);
  }
});

it('has a krew manifest that keeps krew’s rules and names the archives produced with their sha256', async () => {
  const manifest = load(
    await readFile(join(release, 'krew/plugins/backup.yaml'), 'utf8'),
  ) as KrewPlugin;
  expect(krewViolations('backup', manifest)).toEqual([]);
  expect(manifest.spec?.version).toBe(`v${version}`);
  const platforms = manifest.spec!.platforms!;
  expect(platforms.map(p => p.selector?.matchLabels)).toEqual(
    PLATFORMS.map(({ os, arch }) => ({ os, arch })),
  );
  for (const [i, platform] of platforms.entries()) {
    const { os, arch, archive, exe } = PLATFORMS[i];
    const name = `kubectl-backup_v${version}_${os}_${arch}.${archive}`;
    expect(platform.uri).toBe(`${baseUrl}/${name}`);
    expect(platform.sha256).toBe(await sha256(join(release, name)));
    expect(platform.bin).toBe(exe);
    expect(platform.files).toEqual([
      { from: exe, to: '.' },
      { from: 'README.md', to: '.' },
    ]);
  }
});

it(
  'packs each platform’s own executable',
  async () => {
    const magic = async (os: string, arch: string, archive: string, exe: string) => {
      const file = join(release, `kubectl-backup_v${version}_${os}_${arch}.${archive}`);
      let binary: Buffer;
      if (archive === 'zip') {
        const entries = await zipEntries(file);
        expect([...entries.keys()].sort()).toEqual(['README.md', exe]);
        binary = entries.get(exe)!;
      } else {
        const listing = (await run('tar', ['-tvzf', file])).stdout;
        expect(listing).toMatch(new RegExp(`^-rwxr-xr-x .* ${exe}$`, 'm'));
        expect(listing).toMatch(/ README\.md$/m);
        binary = (
          await run('tar', ['-xzOf', file, exe], { encoding: 'buffer', maxBuffer: 512 << 20 })
        ).stdout;
      }
      // postject flips the fuse when it injects the program.
      expect(binary.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1')).toBe(true);
      return binary;
    };
    const elf = await magic('linux', 'arm64', 'tar.gz', 'kubectl-backup');
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(0xb7); // e_machine: AArch64
    for (const arch of ['amd64', 'arm64']) {
      const macho = await magic('darwin', arch, 'tar.gz', 'kubectl-backup');
      expect(macho.readUInt32LE(0)).toBe(0xfeedfacf); // 64-bit Mach-O
      expect(macho.readUInt32LE(4)).toBe(arch === 'arm64' ? 0x0100000c : 0x01000007);
    }
    const pe = await magic('windows', 'amd64', 'zip', 'kubectl-backup.exe');
    expect(pe.subarray(0, 2).toString('latin1')).toBe('MZ');
    // Five executables of about 120 MB each, unpacked: more than a minute on a busy machine.
  },
  5 * MINUTE,
);

it('installs as krew does on linux/amd64: download, check the sum, unpack, run', async () => {
  const manifest = load(
    await readFile(join(release, 'krew/plugins/backup.yaml'), 'utf8'),
  ) as KrewPlugin;
  const platform = manifest.spec!.platforms!.find(
    p => p.selector?.matchLabels?.os === 'linux' && p.selector.matchLabels.arch === 'amd64',
  )!;
  const response = await fetch(platform.uri!);
  expect(response.status).toBe(200);
  const archive = Buffer.from(await response.arrayBuffer());
  expect(createHash('sha256').update(archive).digest('hex')).toBe(platform.sha256);
  const install = join(dir, 'krew-install');
  await mkdir(install);
  await writeFile(join(install, 'download.tar.gz'), archive);
  await run('tar', ['-xzf', 'download.tar.gz'], { cwd: install });
  const { stdout } = await run(join(install, platform.bin!), ['--version'], { env: { PATH: '' } });
  expect(stdout.trim()).toBe(version);
});

it('has the CLI and mover images as OCI archives that ctr images import loads, tagged with the version', async () => {
  const containerd = await startContainerd();
  try {
    for (const name of IMAGES)
      await containerd.ctr('images', 'import', join(release, imageArchive(name)));
    const listed = await containerd.ctr('images', 'ls', '-q');
    expect(listed.trim().split('\n').sort()).toEqual(
      IMAGES.map(name => `docker.io/kube-backup/${name}:${version}`),
    );
    // The CLI image runs this release's kubectl-backup.
    const archive = join(release, imageArchive('cli'));
    const blob = async (digest: string) =>
      (
        await run('tar', ['-xOf', archive, `blobs/sha256/${digest.slice(7)}`], {
          encoding: 'buffer',
          maxBuffer: 256 << 20,
        })
      ).stdout;
    const index = JSON.parse((await run('tar', ['-xOf', archive, 'index.json'])).stdout) as {
      manifests: Array<{ digest: string }>;
    };
    const manifest = JSON.parse((await blob(index.manifests[0].digest)).toString()) as {
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    const image = JSON.parse((await blob(manifest.config.digest)).toString());
    expect(image.config).toMatchObject({ Entrypoint: ['kubectl-backup'] });
    const top = join(dir, 'cli-layer.tar.gz');
    await writeFile(top, await blob(manifest.layers[manifest.layers.length - 1].digest));
    const unpacked = join(dir, 'cli-layer');
    await mkdir(unpacked);
    await run('tar', ['-xzf', top, '-C', unpacked]);
    const { stdout } = await run(process.execPath, [
      join(unpacked, 'usr/local/bin/kubectl-backup'),
      '--version',
    ]);
    expect(stdout.trim()).toBe(version);
  } finally {
    await containerd.stop();
  }
});
