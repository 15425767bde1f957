/**
 * `kubectl backup create -A` against real `kubectl get -A -o json` of the same resource
 * types into a file, on 10,000 objects in 50 namespaces of the test API server; then the
 * bytes an unchanged second snapshot adds. Run: yarn bench:capture
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestCluster } from '../src/server';
import { generateEstate } from './generate-objects';

const root = resolve(__dirname, '../..');
const cli = join(root, 'kubectl-plugin/dist/kubectl-backup');
const total = Number(process.env.OBJECTS ?? 10_000);
const namespaces = Number(process.env.NAMESPACES ?? 50);

function directorySize(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

// The test server runs in this process, so children must run asynchronously or it
// could not answer them.
const run = promisify(execFile);

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string) {
  const start = process.hrtime.bigint();
  const { stdout } = await run(command, args, { env, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (stdoutFile) writeFileSync(stdoutFile, stdout);
  return { ms, stdout };
}

async function main(): Promise<void> {
  const objects = generateEstate(total, namespaces);
  const cluster = await startTestCluster({ seed: objects });
  const work = mkdtempSync(join(tmpdir(), 'bench-capture-'));
  const env = {
    ...process.env,
    KUBECONFIG: cluster.kubeconfigPath,
    HOME: work,
    KUBE_BACKUP_PASSWORD: 'benchmark',
  };
  const rounds = Number(process.env.RUNS ?? 3);
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  try {
    const { stdout: resources } = await run(
      'kubectl',
      ['api-resources', '--verbs=list', '-o', 'name'],
      { env },
    );
    const types = resources.trim().split('\n').join(',');
    // Warm the page cache and the server once, then take the median of several rounds,
    // each first snapshot into a fresh repository.
    await timed('kubectl', ['get', types, '-A', '-o', 'json'], env);
    const kubectlTimes: number[] = [];
    const firstTimes: number[] = [];
    const secondTimes: number[] = [];
    let firstBytes = 0;
    let secondBytes = 0;
    let snapshot = { counts: { objects: 0, restorable: 0 } };
    for (let round = 0; round < rounds; round++) {
      const repository = join(work, `repository-${round}`);
      const roundEnv = { ...env, KUBE_BACKUP_REPOSITORY: `file://${repository}` };
      await run(cli, ['repo', 'init'], { env: roundEnv });
      kubectlTimes.push(
        (
          await timed(
            'kubectl',
            ['get', types, '-A', '-o', 'json'],
            env,
            join(work, 'kubectl.json'),
          )
        ).ms,
      );
      const first = await timed(cli, ['create', '-A', '-o', 'json'], roundEnv);
      firstTimes.push(first.ms);
      firstBytes = directorySize(repository);
      secondTimes.push((await timed(cli, ['create', '-A', '-o', 'json'], roundEnv)).ms);
      secondBytes = directorySize(repository) - firstBytes;
      snapshot = JSON.parse(first.stdout) as typeof snapshot;
    }
    const kubectlMs = median(kubectlTimes);
    const firstMs = median(firstTimes);
    const secondMs = median(secondTimes);
    const perSecond = (ms: number) => ((snapshot.counts.objects / ms) * 1000).toFixed(0);

    console.log(
      `capture: ${objects.length} objects in ${namespaces} namespaces (test API server), node ${process.version}, median of ${rounds} rounds`,
    );
    console.log('| run | wall ms | objects/s | vs kubectl get |');
    console.log('| --- | --- | --- | --- |');
    console.log(
      `| kubectl get <all listable types> -A -o json > file (baseline) | ${kubectlMs.toFixed(0)} | ${perSecond(kubectlMs)} | 1.00x |`,
    );
    console.log(
      `| kubectl backup create -A (first, fresh repository) | ${firstMs.toFixed(0)} | ${perSecond(firstMs)} | ${(kubectlMs / firstMs).toFixed(2)}x faster |`,
    );
    console.log(
      `| kubectl backup create -A (unchanged second) | ${secondMs.toFixed(0)} | ${perSecond(secondMs)} | ${(kubectlMs / secondMs).toFixed(2)}x faster |`,
    );
    console.log(
      `\nobjects captured: ${snapshot.counts.objects} (${snapshot.counts.restorable} restorable); repository after first: ${firstBytes} bytes; ` +
        `second snapshot added ${secondBytes} bytes = ${((secondBytes / firstBytes) * 100).toFixed(3)}% of the first (aim < 1%)`,
    );
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
