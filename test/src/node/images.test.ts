/**
 * The images' OCI archives load into containerd as they would on a kind node
 * (`ctr images import`), under the references the definitions give them.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startContainerd, type Containerd } from '../testing/containerd';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
let containerd: Containerd;

beforeAll(async () => {
  containerd = await startContainerd();
});

afterAll(async () => {
  await containerd?.stop();
});

test('every image builds into an OCI archive that ctr images import accepts', async () => {
  const built = JSON.parse(
    (
      await run(process.execPath, [join(ROOT, 'scripts/build-images.mjs'), '--json'], {
        maxBuffer: 1 << 24,
      })
    ).stdout,
  ) as { images: Array<{ reference: string; digest: string; archive: string }> };
  expect(built.images.map(i => i.reference)).toEqual([
    'docker.io/library/busybox:latest',
    'docker.io/kube-backup/cli:latest',
    'docker.io/kube-backup/mover:latest',
    'docker.io/kube-backup/test-app:latest',
  ]);
  for (const image of built.images) await containerd.ctr('images', 'import', image.archive);
  const listed = await containerd.ctr('images', 'ls');
  for (const image of built.images)
    expect(listed).toMatch(new RegExp(`${image.reference}\\s+\\S+\\s+${image.digest}`));
});

test('the mover is the CLI image with busybox: a node holding both keeps one copy of their layers', async () => {
  // The layout the image suite's build above wrote: its index names every image.
  const layout = join(ROOT, 'dist/images/oci');
  const json = async (file: string) => JSON.parse(await readFile(join(layout, file), 'utf8'));
  const index = (await json('index.json')) as {
    manifests: Array<{ digest: string; annotations: Record<string, string> }>;
  };
  const layersOf = async (reference: string) => {
    const entry = index.manifests.find(
      m => m.annotations['io.containerd.image.name'] === reference,
    )!;
    const manifest = (await json(`blobs/sha256/${entry.digest.slice(7)}`)) as {
      layers: Array<{ digest: string; size: number }>;
    };
    return manifest.layers.map(layer => layer.digest);
  };
  const cli = await layersOf('docker.io/kube-backup/cli:latest');
  const busybox = await layersOf('docker.io/library/busybox:latest');
  expect(await layersOf('docker.io/kube-backup/mover:latest')).toEqual([...cli, ...busybox]);
});
