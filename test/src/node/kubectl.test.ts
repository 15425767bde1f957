/**
 * Fidelity: the real kubectl runs pods on the test cluster's node as on a real cluster —
 * run, logs, wait, exec, cp both ways, and a missing image. Against a real cluster too
 * when KUBE_BACKUP_E2E_KUBECONFIG is set.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IMAGES,
  claim,
  must,
  phaseIs,
  pod,
  startPodCluster,
  type PodCluster,
  type PodStatus,
} from '../testing/pod-cluster';

let cluster: PodCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startPodCluster('kubectl');
  dir = await mkdtemp(join(tmpdir(), 'kubectl-cp-'));
});

afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

const k = (...args: string[]) => cluster.kubectl(['-n', cluster.namespace, ...args]);

test('kubectl run --restart=Never runs the command; kubectl logs shows its output', async () => {
  await must(
    k(
      'run',
      'hello',
      `--image=${IMAGES.busybox}`,
      '--restart=Never',
      '--',
      'sh',
      '-c',
      'echo hello from $(hostname); echo to stderr >&2',
    ),
  );
  const done = await cluster.until<PodStatus>('pod', 'hello', phaseIs('Succeeded', 'Failed'));
  expect(done.status?.phase).toBe('Succeeded');
  const status = done.status!.containerStatuses![0];
  expect(status.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  expect(status.imageID).toMatch(/^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
  const logs = await must(k('logs', 'hello'));
  // stdout and stderr are separate pipes: their lines interleave in no fixed order.
  expect(logs.split('\n').sort()).toEqual(['', 'hello from hello', 'to stderr']);
  const get = await must(k('get', 'pod', 'hello'));
  expect(get).toMatch(/hello\s+0\/1\s+Completed\s+0/);
});

test('kubectl wait for Ready, then exec cat of a file on a claim and cp in both directions', async () => {
  await cluster.apply(
    claim('data', cluster.storageClass),
    pod(
      'app',
      {
        command: ['sh', '-c', 'echo written by the app > /data/greeting && exec sleep 3600'],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] },
    ),
  );
  await must(k('wait', '--for=condition=Ready', 'pod/app', '--timeout=120s'));
  // The file is written by the container's first command; exec waits until it is there.
  await cluster.until<PodStatus>('pod', 'app', phaseIs('Running'));
  const cat = await k(
    'exec',
    'app',
    '--',
    'sh',
    '-c',
    'while [ ! -s /data/greeting ]; do sleep 0.05; done; cat /data/greeting',
  );
  expect(cat).toMatchObject({ code: 0, stdout: 'written by the app\n' });

  await writeFile(join(dir, 'upload.txt'), 'from the host\n');
  await must(k('cp', join(dir, 'upload.txt'), 'app:/data/upload.txt'));
  expect(await must(k('exec', 'app', '--', 'cat', '/data/upload.txt'))).toBe('from the host\n');

  await must(k('cp', 'app:/data/greeting', join(dir, 'download.txt')));
  expect(await readFile(join(dir, 'download.txt'), 'utf8')).toBe('written by the app\n');
});

test('kubectl exec reports the exit code and separates stdout from stderr', async () => {
  await cluster.until<PodStatus>('pod', 'app', phaseIs('Running'));
  const result = await k('exec', 'app', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
  expect(result.code).toBe(3);
  expect(result.stdout).toBe('out\n');
  expect(result.stderr).toContain('err\n');
  expect(result.stderr).toContain('command terminated with exit code 3');
  const input = await cluster.kubectl(
    ['-n', cluster.namespace, 'exec', '-i', 'app', '--', 'wc', '-c'],
    { input: 'twelve bytes' },
  );
  expect(input.stdout.trim()).toBe('12');
});

test('a pod whose image cannot be pulled shows ErrImagePull in kubectl get pods', async () => {
  await cluster.apply(
    pod('missing', { image: 'kube-backup/no-such-image:1.0', command: ['true'] }),
  );
  await cluster.until<PodStatus>('pod', 'missing', p =>
    ['ErrImagePull', 'ImagePullBackOff'].includes(
      p.status?.containerStatuses?.[0]?.state.waiting?.reason ?? '',
    ),
  );
  const get = await must(k('get', 'pods', 'missing'));
  expect(get).toMatch(/missing\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s+0/);
  const logs = await k('logs', 'missing');
  expect(logs.code).not.toBe(0);
  expect(logs.stderr).toMatch(
    /is waiting to start: (trying and failing to pull image|image can't be pulled)/,
  );
});

test('kubectl delete pod stops its containers within the grace period', async () => {
  await must(k('delete', 'pod', 'app', '--grace-period=1'));
  expect(await cluster.get('pod', 'app')).toBeUndefined();
});
