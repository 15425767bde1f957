/**
 * Cold start of `kubectl-backup --help` against a bare `node -e 0`, and through real
 * kubectl's plugin dispatch. Run: yarn bench:cold-start
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median, p90, timeRuns as timeCommand } from './process-timing';

const root = resolve(__dirname, '../..');
const cli = join(root, 'kubectl-plugin/dist/kubectl-backup');
const runs = Number(process.env.RUNS ?? 30);

const timeRuns = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  timeCommand(command, args, runs, env);

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
