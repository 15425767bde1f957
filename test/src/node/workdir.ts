/**
 * Where a node keeps its containers, pods, volumes and snapshots: one directory per node
 * under $TMPDIR/kube-test-nodes, with runc's state inside it. Everything in it is removed
 * when the node stops, and also when the process that started it dies without stopping it:
 * a watcher process (its own session, so a Ctrl-C to the test run does not reach it)
 * holds a pipe from the owner and cleans up when the pipe closes. Directories of owners
 * that are gone are cleaned when any node starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Kills every container of the node's runc root, unmounts what is left under the
 * directory (deepest first) and removes it. $1 is the node directory. */
const CLEANUP_SCRIPT = `
dir="$1"
root="$dir/runc"
if [ -d "$root" ]; then
  for id in $(runc --root "$root" list -q 2>/dev/null); do
    runc --root "$root" delete -f "$id" >/dev/null 2>&1
  done
fi
awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
  while read -r m; do umount -l "$m" 2>/dev/null; done
rm -rf "$dir"
`;

export interface NodeWorkdir {
  dir: string;
  /** runc --root */
  runc: string;
  pods: string;
  volumes: string;
  snapshots: string;
  /** Short id, unique per node, that prefixes container ids. */
  id: string;
  /** Stops every container and removes the directory. */
  cleanup(): Promise<void>;
}

export function nodesBaseDir(): string {
  return join(tmpdir(), 'kube-test-nodes');
}

export async function createWorkdir(base = nodesBaseDir()): Promise<NodeWorkdir> {
  mkdirSync(base, { recursive: true });
  await cleanStale(base);
  const id = randomBytes(4).toString('hex');
  const dir = join(base, id);
  mkdirSync(dir);
  writeFileSync(join(dir, 'owner'), String(process.pid));
  const paths = {
    runc: join(dir, 'runc'),
    pods: join(dir, 'pods'),
    volumes: join(dir, 'volumes'),
    snapshots: join(dir, 'snapshots'),
  };
  for (const path of Object.values(paths)) mkdirSync(path, { recursive: true });
  const watcher = startWatcher(dir);
  let cleaning: Promise<void> | undefined;
  return {
    dir,
    id,
    ...paths,
    cleanup() {
      cleaning ??= new Promise<void>(resolve => {
        watcher.once('exit', () => resolve());
        watcher.stdin?.end();
      });
      return cleaning;
    },
  };
}

/** The watcher: cleans up when its stdin (held by this process) closes. */
function startWatcher(dir: string): ChildProcess {
  const child = spawn(
    'sh',
    ['-c', `trap '' INT TERM HUP; cat >/dev/null; ${CLEANUP_SCRIPT}`, 'sh', dir],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    },
  );
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

function runCleanup(dir: string): Promise<void> {
  return new Promise(resolve => {
    const child = spawn('sh', ['-c', CLEANUP_SCRIPT, 'sh', dir], { stdio: 'ignore' });
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
}

/** Cleans the directories of nodes whose owning process is gone. */
async function cleanStale(base: string): Promise<void> {
  for (const entry of readdirSync(base)) {
    const dir = join(base, entry);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner'), 'utf8'));
    } catch {
      // The owner file is written right after the directory: one without it is being made.
      continue;
    }
    if (!isAlive(owner)) await runCleanup(dir);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
