// The release version lives in one place, the root package.json; this gives it to every
// workspace package (and so to the executables, which read their own package.json).
// References between the packages are `workspace:^`, which packing turns into ^<version>.
//
//   node scripts/set-version.mjs 0.2.0
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The root manifest first, then every workspace's, with their paths. */
export async function packageManifests() {
  const workspaces = execFileSync('yarn', ['workspaces', 'list', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .map(line => JSON.parse(line).location);
  const manifests = [];
  for (const location of workspaces) {
    const path = join(ROOT, location, 'package.json');
    manifests.push({ path, manifest: JSON.parse(await readFile(path, 'utf8')) });
  }
  return manifests;
}

async function main() {
  const version = process.argv[2];
  if (!version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    console.error('usage: node scripts/set-version.mjs <major.minor.patch[-pre]>');
    process.exit(1);
  }
  for (const { path, manifest } of await packageManifests()) {
    manifest.version = version;
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  console.error(`every package is now at ${version}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
