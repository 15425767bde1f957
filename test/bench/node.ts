/**
 * The test cluster's node: pod creation to Running, and an exec round trip, against runc
 * doing the same work directly (a detached `runc run` of the same busybox root filesystem;
 * `runc exec` of the same command). Prints medians and ratios.
 *
 *   yarn bench:node [--pods N]
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestCluster } from '../src/server';
import { kubectlRunner } from '../src/testing/kubectl';

const run = promisify(execFile);
const count = Number(process.argv[process.argv.indexOf('--pods') + 1]) || 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

async function main(): Promise<void> {
  const cluster = await startTestCluster({ node: true });
  const kubectl = kubectlRunner(cluster.kubeconfigPath);
  const manifest = (name: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }],
      },
    });
  const running = (name: string) => {
    const pod = cluster.store.get('v1', 'Pod', 'default', name) as
      { status?: { containerStatuses?: Array<{ state: { running?: object } }> } } | undefined;
    return pod?.status?.containerStatuses?.[0]?.state.running !== undefined;
  };
  // Warm-up: images built and unpacked, kubectl's discovery cached.
  await kubectl(['apply', '-f', '-'], { input: manifest('warm') });
  while (!running('warm')) await new Promise(r => setTimeout(r, 2));
  const podTimes: number[] = [];
  for (let i = 0; i < count; i++) {
    const name = `pod-${i}`;
    podTimes.push(
      await time(async () => {
        await kubectl(['apply', '-f', '-'], { input: manifest(name) });
        while (!running(name)) await new Promise(r => setTimeout(r, 2));
      }),
    );
  }
  const execTimes: number[] = [];
  for (let i = 0; i < count; i++)
    execTimes.push(await time(() => kubectl(['exec', 'warm', '--', 'true'])));

  // Baseline: runc directly on a copy of the busybox layer.
  const dir = await mkdtemp(join(tmpdir(), 'bench-runc-'));
  const layers = join(__dirname, '../../dist/images/layers');
  const { stdout } = await run('ls', [layers]);
  const busybox = stdout
    .split('\n')
    .filter(Boolean)
    .map(l => join(layers, l))
    .find(l => existsSync(join(l, 'bin/busybox')))!;
  const bundle = join(dir, 'bundle');
  await mkdir(bundle);
  await run('cp', ['-a', busybox, join(bundle, 'rootfs')]);
  const spec = JSON.parse(
    (
      await run('runc', ['spec', '--bundle', bundle]).then(() =>
        run('cat', [join(bundle, 'config.json')]),
      )
    ).stdout,
  );
  spec.process.terminal = false;
  spec.process.args = ['sleep', '3600'];
  spec.linux.namespaces = spec.linux.namespaces.filter(
    (n: { type: string }) => n.type !== 'network',
  );
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
  const root = join(dir, 'state');
  const runcTimes: number[] = [];
  const runcExec: number[] = [];
  for (let i = 0; i < count; i++) {
    // The detached container keeps whatever stdio it gets: give it none to hold open.
    const detached = () =>
      new Promise(done =>
        spawn('runc', ['--root', root, 'run', '--detach', '--bundle', bundle, `b${i}`], {
          stdio: 'ignore',
        }).on('close', done),
      );
    runcTimes.push(await time(detached));
    runcExec.push(await time(() => run('runc', ['--root', root, 'exec', `b${i}`, 'true'])));
    await run('runc', ['--root', root, 'delete', '-f', `b${i}`]);
  }
  const kubectlVersion = await time(() => kubectl(['get', '--raw', '/version']));
  await rm(dir, { recursive: true, force: true });
  await cluster.stop();
  const row = (label: string, ours: number, base: number, baseLabel: string) =>
    console.log(
      `${label.padEnd(34)} ${ours.toFixed(0).padStart(6)} ms   ${baseLabel.padEnd(28)} ${base.toFixed(0).padStart(5)} ms   ${(ours / base).toFixed(1)}x`,
    );
  console.log(
    `node bench: ${count} busybox pods (sleep), medians; kubectl round trip alone ${kubectlVersion.toFixed(0)} ms`,
  );
  row('kubectl apply pod → Running', median(podTimes), median(runcTimes), 'runc run --detach');
  row('kubectl exec pod -- true', median(execTimes), median(runcExec), 'runc exec true');
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
