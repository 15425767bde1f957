/**
 * A containerd of a test's own (Debian's `containerd`, in a temporary folder), for checking
 * that OCI archives load as they would on a kind node with `ctr images import`.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Containerd {
  /** Runs `ctr` against this containerd; resolves with what it printed. */
  ctr(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startContainerd(): Promise<Containerd> {
  const dir = await mkdtemp(join(tmpdir(), 'containerd-'));
  const socket = join(dir, 'sock');
  const containerd = spawn(
    'containerd',
    ['--root', join(dir, 'root'), '--state', join(dir, 'state'), '--address', socket],
    { stdio: 'ignore' },
  );
  const exited = new Promise(resolve => containerd.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!existsSync(socket)) {
    if (containerd.exitCode !== null) throw new Error(`containerd exited ${containerd.exitCode}`);
    if (Date.now() > deadline) throw new Error('containerd did not start');
    await new Promise(r => setTimeout(r, 50));
  }
  return {
    ctr: async (...args) =>
      (await run('ctr', ['--address', socket, ...args], { maxBuffer: 16 << 20 })).stdout,
    async stop() {
      if (containerd.exitCode === null) {
        containerd.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
