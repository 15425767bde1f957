// Bundles the executables: each is one self-contained CommonJS file that needs no
// node_modules at run time.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const targets = [
  { entry: 'kubectl-plugin/src/main.ts', out: 'kubectl-plugin/dist/kubectl-backup' },
  { entry: 'test/src/server/main.ts', out: 'test/dist/kube-test-server.js' },
];

for (const { entry, out } of targets) {
  if (!existsSync(entry)) continue;
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  await chmod(out, 0o755);
}
