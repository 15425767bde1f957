/** kube-test-server bundled the way scripts/build.mjs bundles it, run as a process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parseArgs } from './main';
import { kubectlRunner } from '../testing/kubectl';

test('arguments', () => {
  expect(
    parseArgs(['--port', '8443', '--seed', 'a', '--seed=b', '--kubeconfig', 'out', '--http']),
  ).toEqual({
    options: { port: 8443, seed: ['a', 'b'], tls: false },
    kubeconfig: 'out',
  });
  expect(() => parseArgs(['--port', 'x'])).toThrow('invalid port');
  expect(() => parseArgs(['--nope'])).toThrow('unknown argument --nope');
});

test('the CommonJS bundle serves a seeded cluster until SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-test-server-'));
  const bundle = join(dir, 'kube-test-server.js');
  await build({
    entryPoints: [join(__dirname, 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'silent',
  });
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [
    bundle,
    '--seed',
    join(__dirname, '../../fixtures/production'),
    '--kubeconfig',
    kubeconfig,
  ]);
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('kubeconfig:')) resolve(out);
      });
      child.on('exit', code => reject(new Error(`exited with ${code}`)));
    });
    expect(banner).toMatch(
      /^kube-test-server listening on https:\/\/127\.0\.0\.1:\d+\nkubeconfig: /,
    );
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context: kube-test');
    const result = await kubectlRunner(kubeconfig)([
      'get',
      'deploy',
      '-n',
      'payments',
      '-o',
      'name',
    ]);
    expect(result.stdout.trim().split('\n')).toEqual([
      'deployment.apps/fraud-detector',
      'deployment.apps/payments-api',
      'deployment.apps/payments-worker',
    ]);
  } finally {
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});
