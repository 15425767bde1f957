/**
 * Cold start of the single-executable kubectl-backup (linux-x64, built by scripts/sea.mjs)
 * against today's bundle run by Node (`node kubectl-plugin/dist/kubectl-backup --help`),
 * with and without a V8 code cache in the executable. Baselines in the same run: `node -e 0`
 * and the Node binary inside the executable running `-e 0`. Run: yarn bench:sea
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, p90, timeRuns } from './process-timing';

const root = resolve(__dirname, '../..');
const bundle = join(root, 'kubectl-plugin/dist/kubectl-backup');
const runs = Number(process.env.RUNS ?? 30);
const out = mkdtempSync(join(tmpdir(), 'kube-backup-sea-bench-'));
const seaScript = join(root, 'scripts/sea.mjs');

function buildSea(name: string, extra: string[]): string {
  const dir = join(out, name);
  execFileSync(process.execPath, [seaScript, '--platform', 'linux-x64', '--out', dir, ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return join(dir, 'linux-x64/kubectl-backup');
}

try {
  const plain = buildSea('plain', []);
  const cached = buildSea('code-cache', ['--code-cache']);
  const seaNode = execFileSync(process.execPath, [
    '--input-type=module',
    '-e',
    `import { nodeBinary } from ${JSON.stringify(seaScript)}; console.log(nodeBinary('linux-x64'))`,
  ])
    .toString()
    .trim();
  const seaNodeVersion = execFileSync(seaNode, ['--version']).toString().trim();

  const rows: [string, number[], number[]][] = [];
  const node = timeRuns(process.execPath, ['-e', '0'], runs);
  const bareSeaNode = timeRuns(seaNode, ['-e', '0'], runs);
  const bundled = timeRuns(process.execPath, [bundle, '--help'], runs);
  rows.push(['node -e 0 (baseline)', node, node]);
  rows.push([`node ${seaNodeVersion} -e 0 (the SEA's Node)`, bareSeaNode, node]);
  rows.push(['node kubectl-backup --help (today: the bundle)', bundled, node]);
  rows.push(['SEA kubectl-backup --help', timeRuns(plain, ['--help'], runs), bundled]);
  rows.push(['SEA with code cache --help', timeRuns(cached, ['--help'], runs), bundled]);

  const mib = (file: string) => (statSync(file).size / 1024 / 1024).toFixed(1);
  console.log(
    `cold start, ${runs} runs each; node ${process.version}; bundle ${(statSync(bundle).size / 1024).toFixed(0)} KiB; ` +
      `SEA ${mib(plain)} MiB (code cache ${mib(cached)} MiB), Node ${seaNodeVersion} inside`,
  );
  console.log('| command | median ms | p90 ms | vs | ratio |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, times, baseline] of rows) {
    const against = baseline === node ? 'node -e 0' : 'the bundle';
    console.log(
      `| ${name} | ${median(times).toFixed(1)} | ${p90(times).toFixed(1)} | ${against} | ${(median(times) / median(baseline)).toFixed(2)}x |`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
