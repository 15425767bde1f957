// Builds every release artifact into dist/release/ with SHA256SUMS:
//   npm/      the four Backstage packages and the kubectl-backup npm package (yarn pack)
//   kubectl-backup_v<version>_<os>_<arch>.tar.gz|.zip   the single executable per platform
//   krew/plugins/backup.yaml   the krew manifest for the project's custom index
//   kube-backup-{cli,mover}_v<version>_linux_amd64.oci.tar   the container images as OCI
//                              archives (docker.io/kube-backup/<name>:<version>)
// The version is the root package.json's, which scripts/set-version.mjs gives every package.
//
//   node scripts/release.mjs --base-url URL [--out DIR]
//   (or KUBE_BACKUP_RELEASE_URL=URL yarn release)
//
// URL is where the archives will be downloaded from (the krew manifest points there).
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { archiveExecutable, KREW_PLUGIN_NAME, krewManifest, sha256 } from './krew.mjs';
import { buildSea, PLATFORMS } from './sea.mjs';
import { packageManifests } from './set-version.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The packages published to npm, in dependency order. */
const NPM_PACKAGES = [
  '@kube-backup/core',
  '@kube-backup/backstage-plugin-kube-backup-common',
  '@kube-backup/backstage-plugin-kube-backup',
  '@kube-backup/backstage-plugin-kube-backup-backend',
  'kubectl-backup',
];

const step = message => console.error(`release: ${message}`);
const yarn = (...args) =>
  execFileSync('yarn', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });

/** Every package carries the root's version, or the release would mix versions. */
async function releaseVersion() {
  const manifests = await packageManifests();
  const { version } = manifests[0].manifest;
  const others = manifests.filter(({ manifest }) => manifest.version !== version);
  if (others.length > 0) {
    const names = others.map(({ manifest }) => `${manifest.name} ${manifest.version}`).join(', ');
    throw new Error(
      `not every package is at ${version} (${names}): run node scripts/set-version.mjs ${version}`,
    );
  }
  return version;
}

async function npmPackages(out) {
  step('building and packing the npm packages');
  yarn('build');
  yarn('build:packages');
  const dir = join(out, 'npm');
  await mkdir(dir, { recursive: true });
  for (const name of NPM_PACKAGES) yarn('workspace', name, 'pack', '--out', join(dir, '%s-%v.tgz'));
}

async function executables(out, version, baseUrl) {
  step(`building kubectl-backup for ${Object.keys(PLATFORMS).join(', ')}`);
  const seaDir = await mkdtemp(join(tmpdir(), 'kubectl-backup-sea-'));
  const archives = [];
  try {
    // A V8 code cache of the program starts the host platform's executable about a fifth
    // faster (docs/benchmarks.md); the other platforms' cannot carry one made here.
    const built = buildSea({ out: seaDir, platforms: Object.keys(PLATFORMS), codeCache: true });
    const readme = join(ROOT, 'kubectl-plugin/README.md');
    for (const { platform, file } of built) {
      const archive = await archiveExecutable({ version, platform, executable: file, readme, out });
      archives.push({ platform, file: archive });
    }
  } finally {
    await rm(seaDir, { recursive: true, force: true });
  }
  step('writing the krew manifest');
  const manifest = join(out, 'krew/plugins', `${KREW_PLUGIN_NAME}.yaml`);
  await mkdir(dirname(manifest), { recursive: true });
  await writeFile(manifest, await krewManifest({ version, baseUrl, archives }));
}

/** The images released, and the repository each is published under. */
const RELEASED_IMAGES = {
  cli: 'docker.io/kube-backup/cli',
  mover: 'docker.io/kube-backup/mover',
};

/**
 * The CLI and mover images as OCI archives, built by scripts/build-images.mjs from this
 * build's kubectl-backup and the Node running the release, tagged with the version.
 */
async function images(out, version) {
  const names = Object.keys(RELEASED_IMAGES);
  step(`building the ${names.join(' and ')} images`);
  const buildDir = await mkdtemp(join(tmpdir(), 'kube-backup-images-'));
  try {
    const references = names.flatMap(name => [
      '--name',
      `${name}=${RELEASED_IMAGES[name]}:${version}`,
    ]);
    const built = JSON.parse(
      execFileSync(
        process.execPath,
        [
          join(ROOT, 'scripts/build-images.mjs'),
          '--only',
          names.join(','),
          '--out',
          buildDir,
          ...references,
          '--json',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
      ),
    );
    for (const image of built.images)
      await copyFile(
        image.archive,
        join(out, `kube-backup-${image.name}_v${version}_linux_amd64.oci.tar`),
      );
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(entry => entry.isFile())
    .map(entry => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** SHA256SUMS in sha256sum's format: `sha256sum -c SHA256SUMS` in the directory checks it. */
async function checksums(out) {
  const lines = [];
  for (const file of await filesUnder(out)) lines.push(`${await sha256(join(out, file))}  ${file}`);
  await writeFile(join(out, 'SHA256SUMS'), `${lines.join('\n')}\n`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string', default: process.env.KUBE_BACKUP_RELEASE_URL },
      out: { type: 'string', default: join(ROOT, 'dist/release') },
    },
  });
  const baseUrl = values['base-url'];
  if (!baseUrl || !/^https?:\/\//.test(baseUrl))
    throw new Error(
      '--base-url (or KUBE_BACKUP_RELEASE_URL) must be the http(s) URL the archives will be downloaded from',
    );
  const out = resolve(values.out);
  const version = await releaseVersion();
  step(`kube-backup ${version} into ${out}`);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await npmPackages(out);
  await executables(out, version, baseUrl);
  await images(out, version);
  await checksums(out);
  step(`done: ${(await filesUnder(out)).length} files and SHA256SUMS in ${out}`);
}

main().catch(error => {
  console.error(`release: ${error.message}`);
  process.exit(1);
});
