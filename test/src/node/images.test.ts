/**
 * The images' OCI archives load into containerd as they would on a kind node
 * (`ctr images import`), under the references the definitions give them.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
let dir: string;
let containerd: ChildProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'containerd-'));
  containerd = spawn(
    'containerd',
    ['--root', join(dir, 'root'), '--state', join(dir, 'state'), '--address', join(dir, 'sock')],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(dir, 'sock'))) {
    if (Date.now() > deadline) throw new Error('containerd did not start');
    await new Promise(r => setTimeout(r, 50));
  }
});

afterAll(async () => {
  if (containerd && containerd.exitCode === null) {
    const exited = new Promise(r => containerd.once('exit', r));
    containerd.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
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
  const ctr = (...args: string[]) => run('ctr', ['--address', join(dir, 'sock'), ...args]);
  for (const image of built.images) await ctr('images', 'import', image.archive);
  const listed = (await ctr('images', 'ls')).stdout;
  for (const image of built.images)
    expect(listed).toMatch(new RegExp(`${image.reference}\\s+\\S+\\s+${image.digest}`));
});
