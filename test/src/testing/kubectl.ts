/**
 * Runs the real kubectl binary against a cluster. Each runner gets its own discovery cache
 * directory so runs against different test servers never share cached discovery.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

const KUBECTL_GUARD_MS = 300_000;

export type Kubectl = (args: string[], opts?: { input?: string }) => Promise<KubectlResult>;

export function kubectlRunner(
  kubeconfig: string,
  binary = process.env.KUBECTL ?? 'kubectl',
): Kubectl {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  return (args, opts = {}) =>
    new Promise(resolve => {
      const child = execFile(
        binary,
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        {
          env: { ...process.env, KUBECONFIG: kubeconfig },
          // A guard against a hung kubectl only: longer than any --timeout a test passes
          // kubectl, so a slow but live cluster on a busy machine is waited for.
          timeout: KUBECTL_GUARD_MS,
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          if (!error) return resolve({ code: 0, stdout, stderr });
          if (typeof error.code === 'number') return resolve({ code: error.code, stdout, stderr });
          const killed = error.killed
            ? `kubectl ${args.join(' ')} was killed by ${error.signal} after ${KUBECTL_GUARD_MS / 1000}s\n`
            : `kubectl ${args.join(' ')} failed to run: ${error.message}\n`;
          resolve({ code: 1, stdout, stderr: stderr + killed });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
}
