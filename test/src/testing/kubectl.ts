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
          timeout: 30_000,
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
}
