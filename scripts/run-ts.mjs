// Runs a TypeScript script (a benchmark, say) by bundling it with esbuild first, so it can
// import workspace sources and ESM-only packages the same way the executables do.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <script.ts> [args…]');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'run-ts-'));
const outfile = join(dir, `${basename(entry, '.ts')}.cjs`);
const source = resolve(entry);
await build({
  entryPoints: [source],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  // Scripts find files relative to themselves, so keep __dirname pointing at the source.
  define: { __dirname: JSON.stringify(dirname(source)) },
});
const result = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], {
  stdio: 'inherit',
});
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
