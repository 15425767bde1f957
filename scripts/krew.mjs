// The krew side of a release: one archive per platform holding the single executable
// (tar.gz; zip for Windows) and the plugin manifest for a custom krew index. The plugin is
// called `backup` (kubectl backup), a name the central index has given to another plugin,
// so it is installed from this project's own index:
//   kubectl krew index add kube-backup <index repository>
//   kubectl krew install kube-backup/backup
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { dump } from 'js-yaml';
import { create as createTar } from 'tar';
import yazl from 'yazl';
import { PLATFORMS } from './sea.mjs';

export const KREW_PLUGIN_NAME = 'backup';
export const KREW_API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';

// Archives carry a fixed time, so the same executable always gives the same archive and sum.
const ARCHIVE_TIME = new Date('2000-01-01T00:00:00Z');

export const archiveName = (version, platform) => {
  const { os, arch } = PLATFORMS[platform];
  return `kubectl-backup_v${version}_${os}_${arch}.${os === 'windows' ? 'zip' : 'tar.gz'}`;
};

/** Packs `executable` and `readme` into `out`/archiveName(...) and returns its path. */
export async function archiveExecutable({ version, platform, executable, readme, out }) {
  const { os, exe } = PLATFORMS[platform];
  const file = join(out, archiveName(version, platform));
  if (os === 'windows') {
    const zip = new yazl.ZipFile();
    zip.addFile(executable, exe, { mtime: ARCHIVE_TIME, mode: 0o100755 });
    zip.addFile(readme, 'README.md', { mtime: ARCHIVE_TIME, mode: 0o100644 });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(file));
    return file;
  }
  const staging = await mkdtemp(join(tmpdir(), 'kubectl-backup-archive-'));
  try {
    await copyFile(executable, join(staging, exe));
    await copyFile(readme, join(staging, 'README.md'));
    await createTar({ file, cwd: staging, gzip: true, portable: true, mtime: ARCHIVE_TIME }, [
      exe,
      'README.md',
    ]);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return file;
}

export async function sha256(file) {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/**
 * The krew plugin manifest: one platform entry per archive, selected by os and arch, with
 * the archive's download URI (under `baseUrl`) and its sha256.
 */
export async function krewManifest({ version, baseUrl, archives }) {
  const platforms = [];
  for (const { platform, file } of archives) {
    const { os, arch, exe } = PLATFORMS[platform];
    platforms.push({
      selector: { matchLabels: { os, arch } },
      uri: `${baseUrl.replace(/\/$/, '')}/${basename(file)}`,
      sha256: await sha256(file),
      files: [
        { from: exe, to: '.' },
        { from: 'README.md', to: '.' },
      ],
      bin: exe,
    });
  }
  return dump(
    {
      apiVersion: KREW_API_VERSION,
      kind: 'Plugin',
      metadata: { name: KREW_PLUGIN_NAME },
      spec: {
        version: `v${version}`,
        shortDescription: 'Back up, restore and hydrate Kubernetes applications',
        description: [
          "Captures an application's Kubernetes objects with everything they depend on",
          'into encrypted, deduplicated, searchable snapshots (a local directory or S3),',
          'and restores them: after a disaster, into another cluster, or into a',
          "developer's dev/test namespace without production Secrets.",
        ].join('\n'),
        caveats: [
          'Set a repository password before the first use:',
          '  export KUBE_BACKUP_PASSWORD_FILE=~/.kube-backup/password',
          '  kubectl backup repo init',
          'On macOS the executable needs an ad-hoc signature once:',
          `  codesign --sign - --force ~/.krew/store/${KREW_PLUGIN_NAME}/v${version}/kubectl-backup`,
        ].join('\n'),
        platforms,
      },
    },
    { lineWidth: 100 },
  );
}
