/**
 * Cold start of `kubectl-backup --help` against a bare `node -e 0`, and through real
 * kubectl's plugin dispatch. Run: yarn bench:cold-start
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const cli = join(root, 'kubectl-plugin/dist/kubectl-backup');
const runs = Number(process.env.RUNS ?? 30);

function timeRuns(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
    if (i >= 3) times.push(elapsed); // the first runs warm the page cache
  }
  return times.sort((a, b) => a - b);
}

const median = (values: number[]) => values[Math.floor(values.length / 2)];
const p90 = (values: number[]) => values[Math.floor(values.length * 0.9)];

const node = timeRuns(process.execPath, ['-e', '0']);
const help = timeRuns(process.execPath, [cli, '--help']);
const pluginEnv = {
  ...process.env,
  PATH: `${join(root, 'kubectl-plugin/dist')}:${process.env.PATH}`,
};
const kubectlVersion = timeRuns('kubectl', ['version', '--client'], pluginEnv);
const viaKubectl = timeRuns('kubectl', ['backup', '--help'], pluginEnv);

const rows = [
  ['node -e 0 (baseline)', node],
  ['kubectl-backup --help', help],
  ['kubectl version --client (kubectl baseline)', kubectlVersion],
  ['kubectl backup --help', viaKubectl],
] as const;
console.log(
  `cold start, ${runs} runs each, node ${process.version}, bundle ${(statSync(cli).size / 1024).toFixed(0)} KiB`,
);
console.log('| command | median ms | p90 ms | vs baseline |');
console.log('| --- | --- | --- | --- |');
for (const [name, times] of rows) {
  const baseline = name.startsWith('kubectl backup') ? kubectlVersion : node;
  const ratio = median(times) / median(baseline);
  console.log(
    `| ${name} | ${median(times).toFixed(1)} | ${p90(times).toFixed(1)} | ${ratio.toFixed(2)}x (+${(median(times) - median(baseline)).toFixed(1)} ms) |`,
  );
}
const overhead = median(help) - median(node);
console.log(
  `\nkubectl-backup --help costs ${overhead.toFixed(1)} ms above node -e 0 (budget: 110 ms)`,
);
